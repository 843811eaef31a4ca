/*
 * bench_exec - images per second of the reference executor.
 *
 *   bench_exec MODEL.onnx [--images N] [--seed S] [--threads T]
 *
 * Runs N seeded random images (values 0..255 when the input is annotated
 * UINT8, else uniform in [-1, 1]) one at a time through the model (batch 1,
 * as FINN's execution and verification do), reusing one execution context
 * so constant subgraphs (weight quantizers) run once, and prints the first
 * image's latency, images/s over all N, and the peak resident memory.
 * With T threads (default: the online cores) the images are shared out,
 * each thread with its own context; the model and registry are read-only
 * during execution, so threads share them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <finn/heap.h>
#include <finn/plugin.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64 -> [0, 1); image k draws from its own stream, so results do
 * not depend on how images are shared among threads */
static double next_unit(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

typedef struct job {
    const finn_registry *reg;
    const finn_model *m;
    long first, step, images;
    uint64_t seed;
    int is_u8;
    int rc;
    finn_error err;
} job;

static void *run_images(void *arg)
{
    job *jb = arg;
    const finn_model *m = jb->m;
    const finn_value *in = finn_model_value(m, m->inputs[0]);
    /* one context per thread for all its images: weight quantizers run once */
    finn_exec_ctx *ctx = finn_exec_ctx_new(&jb->err);
    for (long k = jb->first; ctx && k < jb->images; k += jb->step) {
        finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, in->ndim, in->shape, &jb->err);
        uint64_t st = jb->seed * 1000003ULL + (uint64_t)k;
        for (size_t i = 0; x && i < finn_tensor_numel(x); i++)
            ((float *)x->data)[i] = jb->is_u8 ? (float)(int)(next_unit(&st) * 256.0)
                                              : (float)(next_unit(&st) * 2.0 - 1.0);
        if (!x || finn_exec_ctx_set(ctx, m->inputs[0], x, &jb->err) ||
            finn_execute(jb->reg, m, ctx, &jb->err)) {
            jb->rc = -1;
            break;
        }
    }
    finn_exec_ctx_free(ctx);
    return NULL;
}

int main(int argc, char **argv)
{
    finn_heap_keep_freed();
    const char *path = NULL;
    long images = 100, threads = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--images") && i + 1 < argc)
            images = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atol(argv[++i]);
        else
            path = argv[i];
    }
    if (!path || images < 1 || threads < 1) {
        fprintf(stderr, "usage: bench_exec MODEL.onnx [--images N] [--seed S] [--threads T]\n");
        return 2;
    }
    if (threads > images)
        threads = images;
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    finn_model *m = NULL;
    if (!reg || finn_plugin_load_default(reg, &err) || finn_model_load(path, &m, &err)) {
        fprintf(stderr, "bench_exec: error: %s\n", err.msg);
        return 1;
    }
    finn_datatype idt = finn_model_datatype(m, m->inputs[0]);
    int is_u8 = idt.kind == FINN_DT_UINT && idt.bits == 8;
    /* latency of one image on a fresh context (weights quantized too) */
    job one = {reg, m, 0, 1, 1, seed, is_u8, 0, {0}};
    double t1 = now();
    run_images(&one);
    double first = now() - t1;
    job jobs[64];
    pthread_t tids[64];
    if (threads > 64)
        threads = 64;
    double t0 = now();
    for (long t = 0; t < threads; t++) {
        jobs[t] = (job){reg, m, t, threads, images, seed, is_u8, 0, {0}};
        pthread_create(&tids[t], NULL, run_images, &jobs[t]);
    }
    int rc = one.rc;
    if (rc)
        err = one.err;
    for (long t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        if (jobs[t].rc && !rc) {
            rc = -1;
            err = jobs[t].err;
        }
    }
    if (rc) {
        fprintf(stderr, "bench_exec: error: %s\n", err.msg);
        return 1;
    }
    double total = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("model: %s (%zu nodes)\n", path, m->n_nodes);
    printf("batch 1 latency: %.2f ms\n", first * 1e3);
    printf("batch %ld (%ld threads): %.3f s, %.1f images/s\n", images, threads, total,
           (double)images / total);
    printf("peak memory: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    finn_model_free(m);
    finn_registry_free(reg);
    return 0;
}
