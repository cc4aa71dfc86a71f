/* model_errs.c - collecting validation problems for one response. */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>

void
model_errs_add(struct model_errs *e, const char *target, const char *fmt, ...)
{
	struct model_err *m;
	va_list ap;

	if (e->count++ >= MODEL_ERRS_MAX)
		return;
	m = &e->err[e->count - 1];
	snprintf(m->target, sizeof(m->target), "%s", target ? target : "");
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
}
