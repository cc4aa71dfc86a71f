/* version.h - the one version string of the daemon, the CLI and /metrics. */
#ifndef VERSION_H
#define VERSION_H

#define BRANCHGATE_VERSION	"0.1.0"

#endif
