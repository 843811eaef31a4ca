/*
 * bench_exec - images per second of the reference executor.
 *
 *   bench_exec MODEL.onnx [--images N] [--seed S]
 *
 * Runs N seeded random images (values 0..255 when the input is annotated
 * UINT8, else uniform in [-1, 1]) one at a time through the model (batch 1,
 * as FINN's execution and verification do) and prints the first image's
 * latency, images/s over all N, and the peak resident memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <finn/plugin.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state;
static double next_unit(void) /* splitmix64 -> [0, 1) */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long images = 100;
    rng_state = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--images") && i + 1 < argc)
            images = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10);
        else
            path = argv[i];
    }
    if (!path || images < 1) {
        fprintf(stderr, "usage: bench_exec MODEL.onnx [--images N] [--seed S]\n");
        return 2;
    }
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    finn_model *m = NULL;
    if (!reg || finn_plugin_load_default(reg, &err) || finn_model_load(path, &m, &err)) {
        fprintf(stderr, "bench_exec: error: %s\n", err.msg);
        return 1;
    }
    const finn_value *in = finn_model_value(m, m->inputs[0]);
    int is_u8 = finn_model_datatype(m, m->inputs[0]).kind == FINN_DT_UINT &&
                finn_model_datatype(m, m->inputs[0]).bits == 8;
    finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, in->ndim, in->shape, &err);
    double first = 0, t0 = now();
    for (long k = 0; k < images; k++) {
        for (size_t i = 0; i < finn_tensor_numel(x); i++)
            ((float *)x->data)[i] = is_u8 ? (float)(int)(next_unit() * 256.0)
                                          : (float)(next_unit() * 2.0 - 1.0);
        finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
        double ts = now();
        if (finn_exec_ctx_set(ctx, m->inputs[0], finn_tensor_copy(x, &err), &err) ||
            finn_execute(reg, m, ctx, &err)) {
            fprintf(stderr, "bench_exec: error: %s\n", err.msg);
            return 1;
        }
        if (k == 0)
            first = now() - ts;
        finn_exec_ctx_free(ctx);
    }
    double total = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("model: %s (%zu nodes)\n", path, m->n_nodes);
    printf("batch 1 latency: %.2f ms\n", first * 1e3);
    printf("batch %ld: %.3f s, %.1f images/s\n", images, total, (double)images / total);
    printf("peak memory: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    finn_tensor_free(x);
    finn_model_free(m);
    finn_registry_free(reg);
    return 0;
}
