/*
 * svg.c - the estimate reports as pictures: horizontal bar charts, one bar
 * per layer (in graph order), one panel per quantity, each panel scaled to
 * its own maximum so that LUTs and BRAMs can share a picture.
 */
#include "reports.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sb {
    char *p;
    size_t len, cap;
    bool oom;
} sb;

static void sbf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sbf(sb *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (n >= 0 && cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = n < 0 ? NULL : realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Text content / attribute value escaped for XML. */
static void sb_esc(sb *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sbf(b, "&amp;"); break;
        case '<': sbf(b, "&lt;"); break;
        case '>': sbf(b, "&gt;"); break;
        case '"': sbf(b, "&quot;"); break;
        case '\'': sbf(b, "&apos;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                sbf(b, "%c", *s);
        }
    }
}

static double num(const rj *v)
{
    return !v ? 0 : v->kind == RJ_INT ? (double)v->i : v->kind == RJ_FLOAT ? v->f : 0;
}

enum { ROW = 22, LABEL_W = 260, BAR_W = 420, VALUE_W = 110, TITLE_H = 30, PAD = 10 };

/* One panel at y: title, then per layer a label, a bar and the value. */
static int panel(sb *b, int y, const char *title, const char *key, const rj *layers,
                 const char *color)
{
    double max = 0;
    size_t rows = 0;
    for (size_t k = 0; k < layers->n; k++) {
        if (!strcmp(layers->keys[k], "total"))
            continue;
        double v = num(key ? rj_get(layers->items[k], key) : layers->items[k]);
        if (v > max)
            max = v;
        rows++;
    }
    sbf(b, "<g class=\"panel\" data-quantity=\"%s\">\n", title);
    sbf(b, "<text x=\"%d\" y=\"%d\" class=\"title\">%s</text>\n", PAD, y + 20, title);
    int row = 0;
    for (size_t k = 0; k < layers->n; k++) {
        if (!strcmp(layers->keys[k], "total"))
            continue;
        double v = num(key ? rj_get(layers->items[k], key) : layers->items[k]);
        double w = max > 0 ? v / max * BAR_W : 0;
        int ry = y + TITLE_H + row * ROW;
        sbf(b, "<text x=\"%d\" y=\"%d\" class=\"label\">", LABEL_W - 5, ry + 15);
        sb_esc(b, layers->keys[k]);
        sbf(b, "</text>\n<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
               "fill=\"%s\"><title>",
            LABEL_W, ry + 3, w, ROW - 6, color);
        sb_esc(b, layers->keys[k]);
        sbf(b, ": %.10g</title></rect>\n", v);
        sbf(b, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%.10g</text>\n", LABEL_W + w + 5,
            ry + 15, v);
        row++;
    }
    sbf(b, "</g>\n");
    (void)rows;
    return y + TITLE_H + row * ROW + PAD;
}

static size_t layer_count(const rj *layers)
{
    size_t c = 0;
    for (size_t k = 0; k < layers->n; k++)
        c += strcmp(layers->keys[k], "total") != 0;
    return c;
}

static char *chart(const char *title, const char *const *titles, const char *const *keys,
                   const char *const *colors, size_t npanels, const rj *layers)
{
    sb b = {0};
    int width = LABEL_W + BAR_W + VALUE_W + PAD;
    int height = 40 + (int)npanels * (TITLE_H + PAD + (int)layer_count(layers) * ROW);
    sbf(&b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
        width, height, width, height);
    sbf(&b, "<style>.title{font-weight:bold;font-size:14px}.label{text-anchor:end}"
            ".value{fill:#333}</style>\n");
    sbf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    sbf(&b, "<text x=\"%d\" y=\"22\" class=\"title\">%s</text>\n", PAD, title);
    int y = 30;
    for (size_t p = 0; p < npanels; p++)
        y = panel(&b, y, titles[p], keys[p], layers, colors[p]);
    sbf(&b, "</svg>\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *rep_svg_resources(const rj *resources)
{
    static const char *const T[] = {"LUT", "BRAM_18K", "DSP"};
    static const char *const C[] = {"#4c72b0", "#dd8452", "#55a868"};
    return chart("Estimated resources per layer", T, T, C, 3, resources);
}

char *rep_svg_cycles(const rj *cycles)
{
    static const char *const T[] = {"cycles"};
    static const char *const K[] = {NULL};
    static const char *const C[] = {"#8172b3"};
    return chart("Estimated cycles per layer", T, K, C, 1, cycles);
}
