/* The apps' progress bar: see progress.h. */
#include "progress.h"
#include "rundir.h"

void progress_init(progress_bar *p, FILE *f, int tty, double interval)
{
    p->f = f;
    p->tty = tty;
    p->interval = interval;
    p->last = run_now();
    p->drawn = 0;
}

int progress_due(progress_bar *p, int final)
{
    double now = run_now();
    if (!final && now - p->last < p->interval)
        return 0;
    p->last = now;
    return 1;
}

void progress_draw(progress_bar *p, double frac, const char *before,
                   const char *after)
{
    if (!p->f || !p->tty)
        return;
    if (!(frac > 0))
        frac = 0;
    if (frac > 1)
        frac = 1;
    char bar[PROGRESS_WIDTH + 1];
    int fill = (int)(frac * PROGRESS_WIDTH + 1e-9);
    for (int i = 0; i < PROGRESS_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[PROGRESS_WIDTH] = '\0';
    fprintf(p->f, "\r\033[K%s[%s]%s", before ? before : "", bar,
            after ? after : "");
    fflush(p->f);
    p->drawn = 1;
}

void progress_clear(progress_bar *p)
{
    if (p->f && p->tty && p->drawn) {
        fputs("\r\033[K", p->f);
        fflush(p->f);
    }
    p->drawn = 0;
}

static long whole_seconds(double s)
{
    if (!(s >= 0) || s > 1e8)
        s = 0;
    return (long)(s + 0.5);
}

const char *progress_clock(double seconds, char *buf, size_t cap)
{
    long t = whole_seconds(seconds);
    snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    return buf;
}

const char *progress_hms(double seconds, char *buf, size_t cap)
{
    long t = whole_seconds(seconds);
    if (t >= 3600)
        snprintf(buf, cap, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, cap, "%lds", t);
    return buf;
}

const char *progress_human(double v, char *buf, size_t cap)
{
    if (v >= 1e9)
        snprintf(buf, cap, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, cap, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, cap, "%.1fk", v / 1e3);
    else
        snprintf(buf, cap, "%.0f", v);
    return buf;
}
