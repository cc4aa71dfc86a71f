/* guid.h - random (version 4) GUIDs as Graph uses for object ids. */
#ifndef GUID_H
#define GUID_H

#include <stdbool.h>

#define GUID_STRLEN	36

int	guid_new(char out[GUID_STRLEN + 1]);
/* A stable id derived from a name (SHA-256 based, RFC 9562 version 8). */
int	guid_from_name(const char *name, char out[GUID_STRLEN + 1]);
/* Lower-case canonical 8-4-4-4-12 hex form only. */
bool	guid_valid(const char *s);

#endif
