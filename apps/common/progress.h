/* The apps' progress bar and the numbers it shows. On a terminal one line
 * is redrawn in place,
 *
 *     epoch 3/200 [#########.....................]  31% ...
 *
 * (the caller supplies the text before and after the bar); elsewhere the
 * caller prints a line now and then, and progress_due spaces them out.
 * Nothing is global. */
#ifndef RAM_APPS_PROGRESS_H
#define RAM_APPS_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROGRESS_WIDTH 30 /* characters between the brackets */

typedef struct progress_bar {
    FILE *f;         /* where it goes (NULL: nowhere) */
    int tty;         /* 1: redraw one line with '\r' */
    double interval; /* least seconds between two draws (progress_due) */
    double last;     /* run_now() of the last draw */
    int drawn;       /* a bar is on the line (progress_clear erases it) */
} progress_bar;

/* A bar on f, drawn at most every interval seconds, from now. */
void progress_init(progress_bar *p, FILE *f, int tty, double interval);

/* 1 if it is time to draw (interval seconds since the last, or final is
 * set), and then marks now as the last draw; else 0. */
int progress_due(progress_bar *p, int final);

/* On a terminal: erases the line and prints before, "[", the bar of frac
 * (0..1, clamped; '#' done, '.' to do), "]", after; flushes. Does nothing
 * if f is NULL or not a terminal. */
void progress_draw(progress_bar *p, double frac, const char *before,
                   const char *after);

/* Erases a drawn bar, so that a normal line can follow. */
void progress_clear(progress_bar *p);

/* Durations: "1:02:03" (clock) or "1h02m03s", "2m05s", "7s" (short); a
 * negative, NaN or huge duration reads as 0. Return buf. */
const char *progress_clock(double seconds, char *buf, size_t cap);
const char *progress_hms(double seconds, char *buf, size_t cap);

/* "12.3M", "500k", "812": a count or rate, short. Returns buf. */
const char *progress_human(double v, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* RAM_APPS_PROGRESS_H */
