/*
 * finn-gen - write the bnn-pynq reference networks (CNV, TFC, SFC, LFC) as
 * QONNX models shaped like a Brevitas export_qonnx + qonnx cleanup, with
 * seeded weights; or a seeded sample input for one of them.
 *
 *   finn-gen NET --wbits W --abits A [--seed S] [--in-bits I] [--untrained] -o model.onnx
 *   finn-gen --input-for NET [--seed S] [--image FILE] [--model M.onnx --expected E.npy]
 *            -o input.npy
 *
 * Exit codes: 0 success, 1 generation or write error (nothing written),
 * 2 usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finn/plugin.h>

#include "gen.h"

typedef struct options {
    const char *net;
    const char *input_for;
    const char *output;
    int wbits, abits, inbits; /* 0 = not given */
    uint64_t seed;
    bool untrained;
    const char *image;    /* --input-for: a real image (.npy / first array of .npz) */
    const char *model;    /* --input-for: run this model on the input ... */
    const char *expected; /* ... and write its output here */
    bool raw;             /* write pixel values 0..255 (for models with the ToTensor step) */
    bool top1;            /* expected output as the class index, int64 (1, 1) */
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: finn-gen {cnv,tfc,sfc,lfc} --wbits W --abits A [--seed S] [--in-bits I]\n"
            "                [--untrained] -o MODEL.onnx\n"
            "       finn-gen --input-for {cnv,tfc,sfc,lfc} [--seed S] [--image FILE]\n"
            "                [--model M.onnx --expected EXPECTED.npy [--top1]] [--raw] -o INPUT.npy\n"
            "options:\n"
            "  --wbits W      weight bits 1..8 (1: BipolarQuant, as bnn_pynq)\n"
            "  --abits A      activation bits 1..8\n"
            "  --in-bits I    input quantizer bits (default: 8 for cnv, A for fc nets)\n"
            "  --seed S       PRNG seed (default 1)\n"
            "  --untrained    BatchNorm/TensorNorm as in a fresh Brevitas model\n"
            "  --image FILE   use this image (uint8 pixels or 0..1 floats, .npy or the first\n"
            "                 array of an .npz, e.g. the corpus CIFAR-10 sample) instead of a\n"
            "                 seeded one\n"
            "  --model M      with --expected: run M on the input with the reference executor\n"
            "  --expected E   write the model's output (the expected output) to E\n"
            "  --top1         write the expected output as the class index (int64, shape (1, 1)),\n"
            "                 as a model with the TopK post-processing step returns it\n"
            "  --raw          write pixel values 0..255 instead of 0..1 (the input of a model\n"
            "                 with the ToTensor pre-processing step); the model still gets 0..1\n"
            "  -o PATH        output file\n");
}

/* Print a usage error; returns 2 (the exit code). */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("finn-gen: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(stderr);
    return 2;
}

static bool known_net(const char *n)
{
    return !strcmp(n, "cnv") || !strcmp(n, "tfc") || !strcmp(n, "sfc") || !strcmp(n, "lfc");
}

static int parse_bits(const char *opt, const char *val, int lo, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || end == val || *end || v < lo || v > 8)
        return usage_error("%s must be an integer from %d to 8, got '%s'", opt, lo, val);
    *out = (int)v;
    return 0;
}

static int parse_seed(const char *val, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 0);
    if (errno || end == val || *end || val[0] == '-')
        return usage_error("--seed must be a non-negative integer, got '%s'", val);
    *out = (uint64_t)v;
    return 0;
}

/* Options with a value; returns 0, 1 (not such an option) or 2 (error). */
static int parse_valued(options *o, const char *a, const char *val)
{
    if (strcmp(a, "--wbits") && strcmp(a, "--abits") && strcmp(a, "--in-bits") &&
        strcmp(a, "--seed") && strcmp(a, "-o") && strcmp(a, "--input-for") &&
        strcmp(a, "--image") && strcmp(a, "--model") && strcmp(a, "--expected"))
        return 1;
    if (!val)
        return usage_error("%s needs a value", a);
    if (!strcmp(a, "--wbits"))
        return parse_bits(a, val, 1, &o->wbits);
    if (!strcmp(a, "--abits"))
        return parse_bits(a, val, 1, &o->abits);
    if (!strcmp(a, "--in-bits"))
        return parse_bits(a, val, 1, &o->inbits);
    if (!strcmp(a, "--seed"))
        return parse_seed(val, &o->seed);
    if (!strcmp(a, "-o"))
        o->output = val;
    else if (!strcmp(a, "--image"))
        o->image = val;
    else if (!strcmp(a, "--model"))
        o->model = val;
    else if (!strcmp(a, "--expected"))
        o->expected = val;
    else
        o->input_for = val;
    return 0;
}

/* Returns -1 to continue, else the exit code. */
static int parse_args(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--untrained")) {
            o->untrained = true;
            continue;
        }
        if (!strcmp(a, "--raw") || !strcmp(a, "--top1")) {
            *(a[2] == 'r' ? &o->raw : &o->top1) = true;
            continue;
        }
        int rc = parse_valued(o, a, i + 1 < argc ? argv[i + 1] : NULL);
        if (rc == 0) {
            i++;
            continue;
        }
        if (rc == 2)
            return 2;
        if (a[0] == '-' && a[1])
            return usage_error("unknown option '%s'", a);
        if (o->net)
            return usage_error("unexpected argument '%s'", a);
        o->net = a;
    }
    return -1;
}

/* Cross-option checks after parsing; returns -1 or the exit code. */
static int check_options(const options *o)
{
    const char *net = o->input_for ? o->input_for : o->net;
    if (o->input_for && o->net)
        return usage_error("give either a network or --input-for, not both");
    if (!net)
        return usage_error("missing network (cnv, tfc, sfc or lfc)");
    if (!known_net(net))
        return usage_error("unknown network '%s' (expected cnv, tfc, sfc or lfc)", net);
    if (!o->input_for && (!o->wbits || !o->abits))
        return usage_error("%s needs --wbits and --abits", net);
    if (!o->input_for && !strcmp(net, "cnv") && o->inbits == 1)
        return usage_error("cnv: --in-bits must be from 2 to 8 (its input quantizer is "
                           "fixed point), got 1");
    if (!o->output)
        return usage_error("missing -o OUTPUT");
    if (!o->input_for && (o->image || o->model || o->expected || o->raw || o->top1))
        return usage_error("--image, --model, --expected, --top1 and --raw go with --input-for");
    if (o->top1 && !o->expected)
        return usage_error("--top1 goes with --model and --expected");
    if (!o->model != !o->expected)
        return usage_error("--model and --expected go together");
    return -1;
}

/* A real image as the network input: uint8 pixels become k/255 (as
 * ToTensor does), float images are taken as they are. */
static finn_tensor *load_image(const char *path, const char *net, finn_error *err)
{
    finn_tensor *img = NULL;
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".npz")) {
        finn_npz *z = NULL;
        if (finn_npz_read(path, &z, err))
            return NULL;
        if (z->count == 0)
            finn_error_set(err, FINN_ERR_INVALID, "%s: no arrays", path);
        else
            img = finn_tensor_copy(z->arrays[0], err);
        finn_npz_free(z);
    } else if (finn_npy_read(path, &img, err)) {
        return NULL;
    }
    if (!img)
        return NULL;
    int64_t want[4] = {1, 3, 32, 32};
    if (strcmp(net, "cnv"))
        want[1] = 1, want[2] = 28, want[3] = 28;
    if (finn_tensor_numel(img) != (size_t)(want[0] * want[1] * want[2] * want[3])) {
        char buf[64];
        finn_error_set(err, FINN_ERR_INVALID, "%s: image of shape %s does not fit %s's input",
                       path, finn_shape_str(img->ndim, img->shape, buf, sizeof buf), net);
        finn_tensor_free(img);
        return NULL;
    }
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 4, want, err);
    for (size_t i = 0; t && i < finn_tensor_numel(t); i++) {
        double v = finn_tensor_get(img, i);
        ((float *)t->data)[i] = img->type == FINN_ELEM_UINT8 ? (float)(v / 255.0) : (float)v;
    }
    finn_tensor_free(img);
    return t;
}

/* Run the model on t; the first graph output, or NULL. */
static finn_tensor *run_model(const char *path, const finn_tensor *t, finn_error *err)
{
    finn_registry *reg = finn_registry_new(err);
    finn_model *m = NULL;
    finn_exec_ctx *ctx = NULL;
    finn_tensor *out = NULL;
    if (!reg || finn_plugin_load_default(reg, err) || finn_model_load(path, &m, err))
        goto done;
    finn_tensor *x = finn_tensor_copy(t, err);
    if (!x || !(ctx = finn_exec_ctx_new(err)) ||
        finn_exec_ctx_set(ctx, m->inputs[0], x, err) || finn_execute(reg, m, ctx, err)) {
        if (!ctx)
            finn_tensor_free(x);
        goto done;
    }
    out = finn_tensor_copy(finn_exec_ctx_get(ctx, m->outputs[0]), err);
done:
    finn_exec_ctx_free(ctx);
    finn_model_free(m);
    finn_registry_free(reg);
    return out;
}

static int write_input(const options *o)
{
    finn_error err = {0};
    finn_tensor *t = o->image ? load_image(o->image, o->input_for, &err)
                     : !strcmp(o->input_for, "cnv") ? gen_input_cifar(o->seed, &err)
                                                    : gen_input_mnist(o->seed, &err);
    finn_tensor *y = t && o->model ? run_model(o->model, t, &err) : NULL;
    int rc = t && (!o->model || y) ? 0 : -1;
    if (!rc && y && o->top1) { /* argmax, first index on ties (as TopK) */
        size_t best = 0;
        for (size_t i = 1; i < finn_tensor_numel(y); i++)
            if (finn_tensor_get(y, i) > finn_tensor_get(y, best))
                best = i;
        int64_t one[2] = {1, 1};
        finn_tensor *k = finn_tensor_new(FINN_ELEM_INT64, 2, one, &err);
        finn_tensor_free(y);
        y = k;
        if (k)
            ((int64_t *)k->data)[0] = (int64_t)best;
        else
            rc = -1;
    }
    if (!rc && o->raw) /* k/255 back to k, exactly */
        for (size_t i = 0; i < finn_tensor_numel(t); i++)
            ((float *)t->data)[i] = (float)nearbyint((double)((float *)t->data)[i] * 255.0);
    /* the expected output first: a failed run leaves no input behind */
    if (!rc && y)
        rc = finn_npy_write(o->expected, y, &err);
    if (!rc)
        rc = finn_npy_write(o->output, t, &err);
    finn_tensor_free(t);
    finn_tensor_free(y);
    if (rc) {
        fprintf(stderr, "finn-gen: error: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int write_model(const options *o)
{
    finn_error err = {0};
    gen_config c = {o->wbits, o->abits, o->inbits, o->seed, o->untrained};
    finn_model *m;
    if (!strcmp(o->net, "cnv"))
        m = gen_cnv(&c, &err);
    else
        m = gen_fc(&c, !strcmp(o->net, "tfc") ? 64 : !strcmp(o->net, "sfc") ? 256 : 1024, &err);
    int rc = m ? finn_model_check(m, &err) : -1;
    if (!rc)
        rc = finn_model_save(m, o->output, &err);
    finn_model_free(m);
    if (rc) {
        fprintf(stderr, "finn-gen: error: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options o = {0};
    o.seed = 1;
    int rc = parse_args(argc, argv, &o);
    if (rc < 0)
        rc = check_options(&o);
    if (rc >= 0)
        return rc;
    return o.input_for ? write_input(&o) : write_model(&o);
}
