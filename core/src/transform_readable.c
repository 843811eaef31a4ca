/*
 * transform_readable.c - GiveReadableTensorNames (readable_names.h): the
 * direct way where it provably ends where QONNX's two passes end, the two
 * passes (transform_cleanup.c) everywhere else.
 *
 * The two passes rename every tensor twice (tensor_<i>, then a name from
 * its node); Streamline runs them after every rewrite.  The direct way
 * renames each tensor at most once, and only when its name changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "finn/transforms.h"
#include "model_priv.h"
#include "readable_names.h"
#include "strset.h"
#include "util.h"

/* A tensor by its name before the pass. */
typedef struct tname {
    const char *name;  /* key: a copy owned by the name list */
    size_t first;      /* first position in finn_tensor_name_list */
    size_t init_uses;  /* node inputs reading it as an initializer */
    char *final;       /* the name it ends with (NULL: tensor_<first>) */
    const char *cur;   /* its name in the model while renaming */
    char tmp[32];      /* a temporary name, to break a cycle of renames */
    UT_hash_handle hh;
} tname;

typedef struct names_map {
    tname *map, *pool;
    size_t n;
    char **list;
    size_t count;
} names_map;

static tname *find(const names_map *nm, const char *name)
{
    tname *e = NULL;
    HASH_FIND_STR(nm->map, name, e);
    return e;
}

static void map_free(names_map *nm)
{
    HASH_CLEAR(hh, nm->map);
    for (size_t i = 0; i < nm->n; i++)
        free(nm->pool[i].final);
    free(nm->pool);
    for (size_t i = 0; nm->list && i < nm->count; i++)
        free(nm->list[i]);
    free(nm->list);
}

/* Builds the map; false when the direct way may differ from the two
 * passes (see readable_names.h). */
static int build_map(const finn_model *m, names_map *nm, bool *usable, finn_error *err)
{
    *usable = false;
    if (!(nm->list = finn_tensor_name_list(m, &nm->count, err)))
        return -1;
    if (!(nm->pool = finn_xcalloc(nm->count + 1, sizeof *nm->pool, err)))
        return -1;
    for (size_t i = 0; i < nm->count; i++) {
        const char *s = nm->list[i];
        /* a tensor_<i> name could collide with the throw-away names; a
         * \001 name with the temporary ones below */
        if (!*s || !strncmp(s, "tensor_", 7) || s[0] == '\001')
            return 0;
        if (find(nm, s))
            continue;
        tname *e = &nm->pool[nm->n++];
        e->name = e->cur = s;
        e->first = i;
        HASH_ADD_KEYPTR(hh, nm->map, e->name, strlen(e->name), e);
    }
    strset io;
    if (strset_init(&io, m->n_inputs + m->n_outputs, err))
        return -1;
    int rc = 0;
    bool repeated = false;
    for (size_t i = 0; !rc && !repeated && i < m->n_inputs + m->n_outputs; i++) {
        const char *s = i < m->n_inputs ? m->inputs[i] : m->outputs[i - m->n_inputs];
        repeated = strset_has(&io, s);
        rc = strset_add(&io, s, err);
    }
    strset_free(&io);
    if (rc || repeated)
        return rc;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs; k++) {
            const char *s = n->inputs[k];
            tname *e = *s && finn_model_initializer(m, s) ? find(nm, s) : NULL;
            if (e && ++e->init_uses > 1)
                return 0; /* the clean-up would copy it under a throw-away name */
        }
    }
    *usable = true;
    return 0;
}

static int set_final(names_map *nm, const char *tensor, const char *base, const char *sep,
                     size_t i, bool number, finn_error *err)
{
    tname *e = find(nm, tensor);
    if (!e)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "GiveReadableTensorNames: tensor '%s' appeared during the "
                              "clean-up",
                              tensor);
    size_t len = strlen(base) + strlen(sep) + 24;
    char *f = finn_xmalloc(len, err);
    if (!f)
        return -1;
    if (number)
        snprintf(f, len, "%s%s%zu", base, sep, i);
    else
        snprintf(f, len, "%s", base);
    free(e->final);
    e->final = f;
    return 0;
}

/* The names the two passes end with, in their order: node outputs and
 * initializer inputs by node, then graph inputs, then graph outputs (a
 * later name wins); every other tensor keeps its throw-away tensor_<i>. */
static int compute_finals(const finn_model *m, names_map *nm, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_outputs; k++)
            if (n->outputs[k][0] && set_final(nm, n->outputs[k], n->name, "_out", k, true, err))
                return -1;
        size_t j = 0;
        for (size_t k = 0; k < n->n_inputs; k++)
            if (n->inputs[k][0] && finn_model_initializer(m, n->inputs[k]) &&
                set_final(nm, n->inputs[k], n->name, "_param", j++, true, err))
                return -1;
    }
    for (size_t i = 0; i < m->n_inputs; i++)
        if (set_final(nm, m->inputs[i], "global_in", "_", i, i > 0, err))
            return -1;
    for (size_t i = 0; i < m->n_outputs; i++)
        if (set_final(nm, m->outputs[i], "global_out", "_", i, i > 0, err))
            return -1;
    for (size_t i = 0; i < nm->n; i++)
        if (!nm->pool[i].final &&
            set_final(nm, nm->pool[i].name, "tensor", "_", nm->pool[i].first, true, err))
            return -1;
    return 0;
}

/* Renames every tensor still in the model to its final name: directly when
 * the name is free, otherwise after the tensor holding it moved on; a cycle
 * is broken with a temporary name. */
static int apply_finals(finn_model *m, names_map *nm, finn_error *err)
{
    rename_index *ix = finn_rename_index_new(m, err);
    tname **todo = finn_xcalloc(nm->n + 1, sizeof *todo, err);
    strset finals = {0};
    int rc = ix && todo ? strset_init(&finals, nm->n, err) : -1;
    size_t left = 0;
    for (size_t i = 0; !rc && i < nm->n; i++) {
        tname *e = &nm->pool[i];
        if (!finn_rename_index_in_use(ix, m, e->name))
            continue; /* removed by the clean-up */
        if (strset_has(&finals, e->final)) {
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "GiveReadableTensorNames: two tensors would be named '%s'",
                                e->final);
            break;
        }
        rc = strset_add(&finals, e->final, err);
        if (strcmp(e->name, e->final))
            todo[left++] = e;
    }
    while (!rc && left > 0) {
        size_t kept = 0;
        for (size_t i = 0; !rc && i < left; i++) {
            tname *e = todo[i];
            if (finn_rename_index_in_use(ix, m, e->final))
                todo[kept++] = e;
            else
                rc = finn_rename_index_rename(ix, m, e->cur, e->final, err);
        }
        if (!rc && kept == left) { /* a cycle: move one out of the way */
            tname *e = todo[0];
            snprintf(e->tmp, sizeof e->tmp, "\001%zu", e->first);
            rc = finn_rename_index_rename(ix, m, e->cur, e->tmp, err);
            e->cur = e->tmp;
        }
        left = kept;
    }
    strset_free(&finals);
    free(todo);
    finn_rename_index_free(ix);
    return rc;
}

int finn_readable_names_direct(finn_model *m, bool *done, finn_error *err)
{
    *done = false;
    if (finn_check_node_names(m, err))
        return -1;
    names_map nm = {0};
    bool usable = false;
    int rc = build_map(m, &nm, &usable, err);
    if (!rc && usable) {
        /* the nested clean-up of the two passes does not depend on names
         * (shared initializers excluded above) */
        if (finn_model_cleanup(m, err))
            rc = finn_error_prefix(err, "GiveReadableTensorNames: ");
        else
            rc = compute_finals(m, &nm, err) || apply_finals(m, &nm, err) ? -1 : 0;
        *done = true;
    }
    map_free(&nm);
    return rc;
}

/* FINN_REFERENCE_PASSES=1: always the two passes (for comparing). */
static bool reference_passes(void)
{
    const char *v = getenv("FINN_REFERENCE_PASSES");
    return v && *v && strcmp(v, "0");
}

int finn_give_readable_tensor_names(finn_model *m, finn_error *err)
{
    if (reference_passes())
        return finn_readable_names_two_pass(m, err);
    bool done;
    if (finn_readable_names_direct(m, &done, err))
        return -1;
    return done ? 0 : finn_readable_names_two_pass(m, err);
}
