/*
 * api_static.h - the web console's files (web/ built by esbuild), loaded
 * once at start and served by name from memory. Not for use outside src/api/.
 */
#ifndef API_STATIC_H
#define API_STATIC_H

#include <stdbool.h>

struct MHD_Connection;
struct MHD_Response;
struct api_static;

/* Load DIR/index.html and DIR/assets/ *; a missing DIR is no error (NULL). */
int	api_static_load(struct api_static **out, const char *dir);
void	api_static_free(struct api_static *);
/*
 * Serve url when it names a console file ("/", "/index.html",
 * "/assets/NAME") and method is GET or HEAD: true, with *ret the queue
 * result. False: not ours, the API routes it.
 */
bool	api_static_serve(struct api_static *, struct MHD_Connection *,
	    const char *method, const char *url, int *ret);
/* The headers every answer carries, API and console alike. */
void	api_static_security_headers(struct MHD_Response *);

#endif
