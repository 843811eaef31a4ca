/*
 * bench_frontend - milliseconds per front-end build step.
 *
 *   bench_frontend MODEL.onnx [--runs N] [--steps a,b,c]
 *
 * Loads the model once, then N times: clones it (not timed) and runs the
 * steps in-process, as finn-run does, through the registry's step
 * functions with a build object of its own (no checkpoints, no log file).
 * Prints each step's median and minimum over the N runs and its time in
 * the first run (cold allocator, as in a finn-run process), the sums, and
 * the peak resident memory.  Default steps: the CNV tutorial's front end
 * (custom_step_add_pre_proc, custom_step_add_post_proc, step_qonnx_to_finn,
 * step_tidy_up, step_streamline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <time.h>

#include <finn/heap.h>
#include <finn/plugin.h>
#include "builder_priv.h"

#define MAX_STEPS 32

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Split a comma-separated list in place. */
static int split_steps(char *s, const char **names)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < MAX_STEPS; tok = strtok(NULL, ","))
        names[n++] = tok;
    return n;
}

int main(int argc, char **argv)
{
    finn_heap_keep_freed();
    const char *path = NULL;
    long runs = 20;
    char *step_arg = NULL;
    static const char *dflt[] = {"custom_step_add_pre_proc", "custom_step_add_post_proc",
                                 "step_qonnx_to_finn", "step_tidy_up", "step_streamline"};
    const char *names[MAX_STEPS];
    int n_steps = 5;
    memcpy(names, dflt, sizeof dflt);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atol(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            step_arg = argv[++i];
        else
            path = argv[i];
    }
    if (step_arg)
        n_steps = split_steps(step_arg, names);
    if (!path || runs < 1 || n_steps < 1) {
        fprintf(stderr, "usage: bench_frontend MODEL.onnx [--runs N] [--steps a,b,c]\n");
        return 2;
    }
    /* as finn-run does (2 x model + 1 MiB), plus two more models: the
     * original stays loaded while each run rewrites a clone of it */
    struct stat st;
    if (stat(path, &st) == 0)
        finn_heap_reserve(4 * (size_t)st.st_size + ((size_t)1 << 20));
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    finn_config *cfg = reg ? finn_config_new(&err) : NULL;
    finn_model *m = NULL;
    if (!cfg || finn_plugin_load_default(reg, &err) || finn_model_load(path, &m, &err)) {
        fprintf(stderr, "bench_frontend: error: %s\n", err.msg);
        return 1;
    }
    finn_model_repair_domains(m);
    const finn_step_desc *steps[MAX_STEPS];
    for (int s = 0; s < n_steps; s++)
        if (!(steps[s] = finn_registry_step(reg, names[s]))) {
            fprintf(stderr, "bench_frontend: error: unknown step '%s'\n", names[s]);
            return 1;
        }
    FILE *devnull = fopen("/dev/null", "w");
    finn_build b = {0};
    b.reg = reg;
    b.cfg = cfg;
    b.output_dir = "/tmp";
    b.console = devnull ? devnull : stdout;
    double *ms = calloc((size_t)(runs * n_steps), sizeof *ms);
    double *col = calloc((size_t)runs, sizeof *col);
    size_t nodes_after = 0;
    for (long r = 0; ms && col && r < runs; r++) {
        finn_model *w = finn_model_clone(m, &err);
        if (!w) {
            fprintf(stderr, "bench_frontend: error: %s\n", err.msg);
            return 1;
        }
        for (int s = 0; s < n_steps; s++) {
            double t0 = now();
            if (steps[s]->fn(&w, &b, &err) != 0 || !w) {
                fprintf(stderr, "bench_frontend: error: step %s: %s\n", names[s], err.msg);
                return 1;
            }
            ms[r * n_steps + s] = (now() - t0) * 1e3;
        }
        nodes_after = w->n_nodes;
        finn_model_free(w);
    }
    if (!ms || !col) {
        fprintf(stderr, "bench_frontend: error: out of memory\n");
        return 1;
    }
    printf("model: %s (%zu nodes in, %zu out), %ld runs\n", path, m->n_nodes, nodes_after, runs);
    double total = 0, first_total = 0;
    for (int s = 0; s < n_steps; s++) {
        for (long r = 0; r < runs; r++)
            col[r] = ms[r * n_steps + s];
        double first = col[0];
        double med = median(col, runs);
        total += med;
        first_total += first;
        printf("%-28s median %8.2f ms   min %8.2f ms   first run %8.2f ms\n", names[s], med,
               col[0], first);
    }
    printf("%-28s median %8.2f ms   first run %8.2f ms\n", "total", total, first_total);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak memory: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    free(ms);
    free(col);
    if (devnull)
        fclose(devnull);
    finn_model_free(m);
    finn_config_free(cfg);
    finn_registry_free(reg);
    return 0;
}
