/* Data-parallel training over MPI: every process (rank) holds the same
 * agent, runs its share of each batch, and one MPI_Allreduce sums the
 * gradient arrays and the sample counts; then every rank applies the same
 * update, so the parameters stay bit-identical without being sent.
 *
 *   mpirun -np R examples/mpi [--updates U] [--check-every N]
 *
 * R must divide SHARES (8). The batch is cut into SHARES fixed shares; rank
 * r runs shares r * SHARES / R, ..., and share s of update u samples its
 * locations from the agent RNG seeded with (u, s) and renders its images
 * from per-image seeds, whichever rank runs it: only the order of the float
 * sums depends on R. Every N updates the ranks compare a checksum of their
 * parameters (a second, 16-byte all-reduce) and stop if they differ.
 * apps/mnist-mpi (ram-mnist-mpi) is the complete version. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <ram/ram.h>

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define BATCH 64
#define SHARES 8
#define SHARE (BATCH / SHARES)
#define GLIMPSES 6

static int rank;

static void check(int rc)
{
    if (rc != RAM_OK) {
        fprintf(stderr, "mpi: rank %d: %s (%s)\n", rank, ram_strerror(rc),
                ram_last_error());
        MPI_Abort(MPI_COMM_WORLD, 1); /* ends every rank, not only this one */
    }
}

/* splitmix64: a hash of a number, the host's own per-image RNG. */
static uint64_t mix(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Image `index` of the stream (class k: a bright bar on row 2 + 2k at a
 * random column over faint noise): a function of the index alone, so that
 * each rank makes only its own share. */
static void make_image(uint64_t index, unsigned char *im, int *label)
{
    uint64_t s = mix(index);
    for (int i = 0; i < PIXELS; i++)
        im[i] = (unsigned char)((s = mix(s)) % 40);
    *label = (int)((s = mix(s)) % 10);
    int x0 = (int)(mix(s) % 20);
    for (int y = 2 + 2 * *label; y < 4 + 2 * *label; y++)
        memset(im + y * SIDE + x0, 255, 8);
}

/* FNV-1a over the parameters' bytes. */
static uint64_t checksum(const float *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n * sizeof *p; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Stops every rank unless all hold the same parameters: the all-reduced
 * maximum of h and of ~h (= ~minimum of h) agree only if every h does. */
static void check_identical(const float *params, size_t n, int update)
{
    uint64_t h = checksum(params, n), mm[2] = {h, ~h};
    MPI_Allreduce(MPI_IN_PLACE, mm, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (mm[0] != ~mm[1]) {
        fprintf(stderr, "mpi: rank %d: parameters differ across ranks after "
                "update %d (checksum %016" PRIx64 ")\n", rank, update, h);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int ranks, updates = 20, every = 5;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--updates"))
            updates = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--check-every"))
            every = atoi(argv[i + 1]);
    }
    if (argc % 2 == 0 || updates < 1 || every < 1 || SHARES % ranks) {
        if (rank == 0)
            fprintf(stderr, "usage: mpirun -np R mpi [--updates U] "
                    "[--check-every N] (R divides %d)\n", SHARES);
        MPI_Finalize();
        return 2;
    }

    /* The same configuration and seed on every rank: the same weights. */
    ram_config *cfg;
    ram_agent *agent;
    check(ram_config_create(&cfg));
    int rc = ram_agent_create(&agent, cfg);
    ram_config_free(cfg);
    check(rc);
    check(ram_agent_set_param(agent, RAM_PARAM_LOCATION_STD, 0.12));
    check(ram_agent_set_input(agent, RAM_PIXEL_U8, SIDE, SIDE, SIDE, PIXELS));
    float *params, *grads;
    size_t n;
    check(ram_agent_params(agent, &params, &grads, &n));
    check_identical(params, n, 0);

    /* The all-reduce buffer: the gradient sums, then the sample count and
     * the right guesses (floats: exact up to 2^24). */
    float *buf = malloc((n + 2) * sizeof *buf);
    if (!buf) {
        fprintf(stderr, "mpi: rank %d: out of memory\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    static unsigned char images[SHARE * PIXELS];
    int labels[SHARE], guess[SHARE];
    float reward[SHARE];
    const int first = rank * (SHARES / ranks), last = first + SHARES / ranks;
    double t0 = MPI_Wtime();
    for (int u = 0; u < updates; u++) {
        int right = 0;
        for (int s = first; s < last; s++) { /* one episode per share */
            for (int i = 0; i < SHARE; i++)
                make_image((uint64_t)u * BATCH + (uint64_t)(s * SHARE + i),
                           images + i * PIXELS, &labels[i]);
            check(ram_agent_seed(agent, (uint64_t)u * SHARES + (uint64_t)s));
            check(ram_agent_begin(agent, SHARE, RAM_BEGIN_TRAIN));
            for (int t = 0; t < GLIMPSES; t++)
                check(ram_agent_step(agent, images, sizeof images, NULL, NULL,
                                     t == GLIMPSES - 1 ? guess : NULL));
            for (int i = 0; i < SHARE; i++) {
                reward[i] = guess[i] == labels[i] ? 1.0f : 0.0f;
                right += guess[i] == labels[i];
            }
            check(ram_agent_reward(agent, reward));
            check(ram_agent_end(agent, labels)); /* adds the share's sums */
        }
        /* One all-reduce: gradient sums, sample counts, right guesses. */
        uint64_t samples;
        check(ram_agent_grad_samples(agent, &samples));
        memcpy(buf, grads, n * sizeof *buf);
        buf[n] = (float)samples;
        buf[n + 1] = (float)right;
        MPI_Allreduce(MPI_IN_PLACE, buf, (int)(n + 2), MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD);
        memcpy(grads, buf, n * sizeof *buf);
        check(ram_agent_set_grad_samples(agent, (uint64_t)buf[n]));
        check(ram_agent_update(agent)); /* the same step on every rank */
        if ((u + 1) % every == 0 || u + 1 == updates)
            check_identical(params, n, u + 1);
        if (rank == 0 && ((u + 1) % every == 0 || u + 1 == updates))
            printf("update %3d: %.0f samples, accuracy %.3f\n", u + 1,
                   (double)buf[n], (double)buf[n + 1] / (double)buf[n]);
    }
    double seconds = MPI_Wtime() - t0;
    if (rank == 0)
        printf("%d ranks, %zu parameters identical on every rank "
               "(checksum %016" PRIx64 "), %d updates of %d in %.2f s\n",
               ranks, n, checksum(params, n), updates, BATCH, seconds);
    free(buf);
    ram_agent_free(agent);
    MPI_Finalize();
    return 0;
}
