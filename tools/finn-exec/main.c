/*
 * finn-exec - run a model with the reference executor.
 *
 *   finn-exec MODEL --input [NAME=]FILE.npy ... [--output FILE.npy]
 *             [--all-outputs DIR] [--batch] [--plugin PATH]
 *
 * --output writes the first graph output; --all-outputs writes every
 * tensor of the execution context as DIR/<name>.npy (FINN's
 * return_full_exec_context); --batch runs a batch of N samples through a
 * model whose input has batch size 1, one sample at a time, and stacks the
 * outputs.  Exit codes: 0 success, 1 error, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <finn/file.h>
#include <finn/heap.h>
#include <finn/plugin.h>

#define MAX_INPUTS 32

typedef struct options {
    const char *model;
    const char *in_names[MAX_INPUTS];
    const char *in_files[MAX_INPUTS];
    size_t n_in;
    const char *output;
    const char *all_dir;
    const char *plugins[MAX_INPUTS];
    size_t n_plugins;
    int batch;
} options;

static void usage(FILE *f)
{
    fprintf(f, "usage: finn-exec MODEL.onnx --input [NAME=]FILE.npy ... [--output OUT.npy]\n"
               "                 [--all-outputs DIR] [--batch] [--plugin PATH]\n");
}

static int parse_args(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--batch")) {
            o->batch = 1;
        } else if (!strcmp(a, "--input") || !strcmp(a, "--output") ||
                   !strcmp(a, "--all-outputs") || !strcmp(a, "--plugin")) {
            if (!val) {
                fprintf(stderr, "finn-exec: %s needs a value\n", a);
                return -1;
            }
            i++;
            if (!strcmp(a, "--input")) {
                if (o->n_in == MAX_INPUTS)
                    return fprintf(stderr, "finn-exec: too many --input\n"), -1;
                const char *eq = strchr(val, '=');
                o->in_names[o->n_in] = eq ? strndup(val, (size_t)(eq - val)) : NULL;
                o->in_files[o->n_in++] = eq ? eq + 1 : val;
            } else if (!strcmp(a, "--output")) {
                o->output = val;
            } else if (!strcmp(a, "--all-outputs")) {
                o->all_dir = val;
            } else if (o->n_plugins < MAX_INPUTS) {
                o->plugins[o->n_plugins++] = val;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "finn-exec: unknown option %s\n", a);
            return -1;
        } else if (!o->model) {
            o->model = a;
        } else {
            fprintf(stderr, "finn-exec: unexpected argument %s\n", a);
            return -1;
        }
    }
    if (!o->model || o->n_in == 0) {
        fprintf(stderr, "finn-exec: %s\n", !o->model ? "no model given" : "no --input given");
        return -1;
    }
    return 0;
}

/* Sample i of a batch (axis 0), or the whole tensor when i < 0. */
static finn_tensor *sample(const finn_tensor *t, int64_t i, finn_error *err)
{
    if (i < 0)
        return finn_tensor_copy(t, err);
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = 1;
    finn_tensor *s = finn_tensor_new(t->type, t->ndim, shape, err);
    if (!s)
        return NULL;
    size_t nb = finn_tensor_nbytes(s);
    memcpy(s->data, (const char *)t->data + (size_t)i * nb, nb);
    return s;
}

/* Convert and reshape an input to what the model declares. */
static finn_tensor *fit_input(const finn_model *m, const char *name, finn_tensor *t,
                              finn_error *err)
{
    const finn_value *v = finn_model_value(m, name);
    if (!v)
        return t;
    if (v->elem != FINN_ELEM_UNDEFINED && v->elem != t->type) {
        finn_tensor *c = finn_tensor_convert(t, v->elem, err);
        finn_tensor_free(t);
        if (!(t = c))
            return NULL;
    }
    if (v->ndim >= 0 && finn_shape_numel(v->ndim, v->shape) == finn_tensor_numel(t) &&
        finn_tensor_reshape(t, v->ndim, v->shape, err)) {
        finn_tensor_free(t);
        return NULL;
    }
    return t;
}

/* Concatenate per-sample outputs along axis 0. */
static finn_tensor *stack(finn_tensor **parts, int64_t n, finn_error *err)
{
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, parts[0]->shape, sizeof shape);
    int ndim = parts[0]->ndim ? parts[0]->ndim : 1;
    if (!parts[0]->ndim)
        shape[0] = 1;
    shape[0] *= n;
    finn_tensor *t = finn_tensor_new(parts[0]->type, ndim, shape, err);
    if (!t)
        return NULL;
    size_t nb = finn_tensor_nbytes(parts[0]);
    for (int64_t i = 0; i < n; i++)
        memcpy((char *)t->data + (size_t)i * nb, parts[i]->data, nb);
    return t;
}

static int write_all(const finn_exec_ctx *ctx, const char *dir, finn_error *err)
{
    if (finn_mkdirs(dir, err))
        return -1;
    for (size_t i = 0; i < finn_exec_ctx_count(ctx); i++) {
        const char *name = finn_exec_ctx_name(ctx, i);
        char path[4096];
        /* tensor names may hold '/' (pytorch exports): keep files flat */
        char flat[1024];
        snprintf(flat, sizeof flat, "%s", name);
        for (char *p = flat; *p; p++)
            if (*p == '/')
                *p = '_';
        snprintf(path, sizeof path, "%s/%s.npy", dir, flat);
        if (finn_npy_write(path, finn_exec_ctx_get(ctx, name), err))
            return -1;
    }
    return 0;
}

static int run(const options *o, finn_error *err)
{
    finn_registry *reg = finn_registry_new(err);
    finn_model *m = NULL;
    finn_tensor *inputs[MAX_INPUTS] = {0};
    finn_tensor **outs = NULL;
    finn_exec_ctx *ctx = NULL;
    int64_t n_batch = 1;
    int rc = -1;
    if (!reg || finn_plugin_load_default(reg, err))
        goto out;
    for (size_t i = 0; i < o->n_plugins; i++)
        if (finn_plugin_load_path(reg, o->plugins[i], err))
            goto out;
    if (finn_model_load(o->model, &m, err))
        goto out;
    for (size_t i = 0; i < o->n_in; i++) {
        const char *name = o->in_names[i] ? o->in_names[i] : i < m->n_inputs ? m->inputs[i] : NULL;
        if (!name || !finn_model_is_input(m, name)) {
            finn_error_set(err, FINN_ERR_NOT_FOUND, "%s: no graph input %s%s%s", o->model,
                           name ? "'" : "number ", name ? name : "", name ? "'" : "");
            goto out;
        }
        if (finn_npy_read(o->in_files[i], &inputs[i], err))
            goto out;
    }
    if (o->batch && inputs[0]->ndim > 0)
        n_batch = inputs[0]->shape[0];
    outs = calloc((size_t)n_batch, sizeof *outs);
    if (!outs) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* one context for the batch: constant subgraphs run once */
    if (!(ctx = finn_exec_ctx_new(err)))
        goto out;
    for (int64_t b = 0; b < n_batch; b++) {
        for (size_t i = 0; i < o->n_in; i++) {
            const char *name = o->in_names[i] ? o->in_names[i] : m->inputs[i];
            finn_tensor *t = sample(inputs[i], o->batch ? b : -1, err);
            if (!t || !(t = fit_input(m, name, t, err)) || finn_exec_ctx_set(ctx, name, t, err))
                goto out;
        }
        if (finn_execute(reg, m, ctx, err))
            goto out;
        const finn_tensor *y = m->n_outputs ? finn_exec_ctx_get(ctx, m->outputs[0]) : NULL;
        if (!y) {
            finn_error_set(err, FINN_ERR_INVALID, "%s: graph output was not computed", o->model);
            goto out;
        }
        if (!(outs[b] = finn_tensor_copy(y, err)))
            goto out;
        if (o->all_dir && b == n_batch - 1 && write_all(ctx, o->all_dir, err))
            goto out;
    }
    if (o->output) {
        finn_tensor *y = o->batch ? stack(outs, n_batch, err) : finn_tensor_copy(outs[0], err);
        if (!y || finn_npy_write(o->output, y, err)) {
            finn_tensor_free(y);
            goto out;
        }
        finn_tensor_free(y);
    }
    rc = 0;
out:
    for (int64_t b = 0; outs && b < n_batch; b++)
        finn_tensor_free(outs[b]);
    free(outs);
    for (size_t i = 0; i < o->n_in; i++)
        finn_tensor_free(inputs[i]);
    finn_exec_ctx_free(ctx);
    finn_model_free(m);
    finn_registry_free(reg);
    return rc;
}

int main(int argc, char **argv)
{
    finn_heap_keep_freed();
    options o = {0};
    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    finn_error err = {0};
    int rc = run(&o, &err);
    for (size_t i = 0; i < o.n_in; i++)
        free((char *)o.in_names[i]);
    if (rc) {
        fprintf(stderr, "finn-exec: error: %s\n", err.msg);
        return 1;
    }
    return 0;
}
