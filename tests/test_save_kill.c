/* Kill-safe saves (issue 22). The test binary interposes write(), fsync(),
 * ftruncate(), fchmod() and rename() (the library's objects are linked into
 * it, so its calls come here): disarmed they are the system calls; armed in
 * a forked child, each call is one "point", writes are cut into 4 KiB
 * pieces so that a model's write has many points, and the child SIGKILLs
 * itself at point k, or fails point k with ENOSPC. After every kill the
 * target loads and is bit-identical to the previous file or to the new
 * one; at most the one fixed temporary file is left, and the next save
 * removes it. A full disk is RAM_E_IO with the previous file intact and
 * no temporary file. /dev/full (not a regular file) is refused and left
 * alone. */
#define _GNU_SOURCE /* syscall() */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ram/ram.h"

/* -1: disarmed. Otherwise the points left before the action. */
static long fault_at = -1;
static int fault_kill = 1; /* 1: SIGKILL at the point; 0: ENOSPC */
static long points;        /* points counted while armed */

/* 1 if this call is the fault (and the action is ENOSPC). */
static int point(void)
{
    if (fault_at < 0)
        return 0;
    points++;
    if (fault_at-- == 0) {
        if (fault_kill)
            raise(SIGKILL);
        return 1;
    }
    return 0;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fault_at >= 0 && n > 4096)
        n = 4096; /* a short write: the library's loop goes on */
    if (point()) {
        errno = ENOSPC;
        return -1;
    }
    return syscall(SYS_write, fd, buf, n);
}

int fsync(int fd)
{
    if (point()) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fsync, fd);
}

int ftruncate(int fd, off_t len)
{
    if (point()) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_ftruncate, fd, len);
}

int fchmod(int fd, mode_t mode)
{
    if (point()) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fchmod, fd, mode);
}

int rename(const char *a, const char *b)
{
    if (point()) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_rename, a, b);
}

static ram_agent *agent_with_seed(int64_t seed)
{
    ram_config *cfg;
    ram_agent *a;
    ck_assert_int_eq(ram_config_create(&cfg), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_HIDDEN, 32), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHAT, 32), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_WHERE, 16), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_GLIMPSE_SIZE, 32), RAM_OK);
    ck_assert_int_eq(ram_config_set(cfg, RAM_CFG_SEED, seed), RAM_OK);
    ck_assert_int_eq(ram_agent_create(&a, cfg), RAM_OK);
    ram_config_free(cfg);
    return a;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static unsigned char *bytes_of(ram_agent *a, unsigned flags, size_t *n)
{
    ck_assert_int_eq(ram_agent_save(a, flags, NULL, 0, n), RAM_OK);
    unsigned char *b = malloc(*n);
    ck_assert_int_eq(ram_agent_save(a, flags, b, *n, n), RAM_OK);
    return b;
}

/* Entries in dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Run a save in a child with the fault at point k; returns the child's
 * wait status. */
static int save_in_child(ram_agent *a, const char *path, long k, int kill)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        fault_kill = kill;
        points = 0;
        fault_at = k;
        int rc = ram_agent_save_file(a, RAM_SAVE_OPTIMIZER, path);
        fault_at = -1;
        _exit(rc == RAM_OK ? 0 : 10 + rc);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

START_TEST(kill_at_every_point)
{
    /* tmpfs where there is one: fsync costs nothing there. */
    char shm[] = "/dev/shm/ram-kill-XXXXXX", tmp[] = "/tmp/ram-kill-XXXXXX";
    char *dir = mkdtemp(shm);
    if (!dir)
        dir = mkdtemp(tmp);
    ck_assert_ptr_nonnull(dir);
    char path[256];
    snprintf(path, sizeof path, "%s/model.ram", dir);
    ram_agent *old = agent_with_seed(1), *new = agent_with_seed(2);
    size_t n_old, n_new;
    unsigned char *b_old = bytes_of(old, RAM_SAVE_OPTIMIZER, &n_old);
    unsigned char *b_new = bytes_of(new, RAM_SAVE_OPTIMIZER, &n_new);

    /* How many points a whole save has (replacing a file: with fchmod). */
    ck_assert_int_eq(ram_agent_save_file(old, RAM_SAVE_OPTIMIZER, path),
                     RAM_OK);
    points = 0;
    fault_kill = 0;
    fault_at = 1L << 40;
    ck_assert_int_eq(ram_agent_save_file(old, RAM_SAVE_OPTIMIZER, path),
                     RAM_OK);
    fault_at = -1;
    long total = points;
    ck_assert_int_gt(total, 20); /* a 4 KiB piece per write point */

    int kills = 0, as_old = 0, as_new = 0;
    for (long k = 0; k <= total; k++) {
        /* The previous file is `old` again before each kill. */
        ck_assert_int_eq(ram_agent_save_file(old, RAM_SAVE_OPTIMIZER, path),
                         RAM_OK);
        int st = save_in_child(new, path, k, 1);
        if (k < total) {
            ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                          "point %ld: status %d", k, st);
            kills++;
        } else {
            ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        size_t n;
        unsigned char *b = read_all(path, &n);
        ck_assert_ptr_nonnull(b);
        int is_old = n == n_old && memcmp(b, b_old, n) == 0;
        int is_new = n == n_new && memcmp(b, b_new, n) == 0;
        ck_assert_msg(is_old || is_new, "point %ld: the file is neither", k);
        as_old += is_old;
        as_new += is_new;
        ram_agent *l;
        ck_assert_int_eq(ram_agent_load_file(&l, path, 0), RAM_OK);
        ram_agent_free(l);
        /* At most the one temporary file is left behind. */
        ck_assert_int_le(entries(dir), 2);
        free(b);
    }
    /* The kills before the rename leave the old file, those after it the
     * new one. */
    ck_assert_int_gt(as_old, 0);
    ck_assert_int_gt(as_new, 0);
    /* A later save cleans up. */
    ck_assert_int_eq(ram_agent_save_file(new, RAM_SAVE_OPTIMIZER, path),
                     RAM_OK);
    ck_assert_int_eq(entries(dir), 1);
    if (getenv("RAM_TEST_VERBOSE"))
        fprintf(stderr,
                "kill-safe save: %ld points, %d kills, %d left the old "
                "file, %d the new one, 0 lost\n",
                total, kills, as_old, as_new);

    /* A failure (ENOSPC on a write, EIO elsewhere) at every point: RAM_E_IO,
     * the previous file intact, no temporary file left. */
    for (long k = 0; k < total; k++) {
        ck_assert_int_eq(ram_agent_save_file(old, RAM_SAVE_OPTIMIZER, path),
                         RAM_OK);
        int st = save_in_child(new, path, k, 0);
        ck_assert(WIFEXITED(st));
        size_t n;
        unsigned char *b = read_all(path, &n);
        int is_old = n == n_old && memcmp(b, b_old, n) == 0;
        int is_new = n == n_new && memcmp(b, b_new, n) == 0;
        ck_assert_msg(WEXITSTATUS(st) == 10 + RAM_E_IO, "point %ld: exit %d",
                      k, WEXITSTATUS(st));
        /* Only the last point, the directory's fsync after the rename,
         * fails with the new file in place (documented). */
        ck_assert_msg(k == total - 1 ? is_new : is_old, "point %ld", k);
        ck_assert_int_eq(entries(dir), 1);
        free(b);
    }

    ram_agent_free(old);
    ram_agent_free(new);
    free(b_old);
    free(b_new);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* /dev/full is not a regular file: refused (RAM_E_IO), nothing written or
 * renamed in /dev. */
START_TEST(dev_full_is_refused)
{
    struct stat before, after;
    if (stat("/dev/full", &before) != 0)
        return;
    ram_agent *a = agent_with_seed(3);
    ck_assert_int_eq(ram_agent_save_file(a, 0, "/dev/full"), RAM_E_IO);
    ck_assert_msg(strstr(ram_last_error(), "not a regular file"), "%s",
                  ram_last_error());
    ck_assert_int_eq(stat("/dev/full", &after), 0);
    ck_assert(S_ISCHR(after.st_mode) && after.st_rdev == before.st_rdev);
    ck_assert_int_ne(access("/dev/full.ram-tmp", F_OK), 0);
    ram_agent_free(a);
}
END_TEST

Suite *suite_save_kill(void)
{
    Suite *s = suite_create("save_kill");
    TCase *tc = tcase_create("kill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, kill_at_every_point);
    tcase_add_test(tc, dev_full_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
