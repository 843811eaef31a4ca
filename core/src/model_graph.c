/*
 * model_graph.c - graph queries (producer, consumers), names, topological
 * sort, consistency check, tensor renaming and load-time domain repair.
 */
#include "model_priv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int finn_model_reindex_value(finn_model *m, finn_value *v, const char *to, finn_error *err);

finn_node *finn_model_producer(const finn_model *m, const char *tensor)
{
    if (!tensor || !*tensor)
        return NULL;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < m->nodes[i]->n_outputs; k++)
            if (!strcmp(m->nodes[i]->outputs[k], tensor))
                return m->nodes[i];
    return NULL;
}

size_t finn_model_consumers(const finn_model *m, const char *tensor, finn_node **out, size_t max)
{
    size_t count = 0;
    if (!tensor || !*tensor)
        return 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs; k++)
            if (!strcmp(n->inputs[k], tensor)) {
                if (count < max && out)
                    out[count] = m->nodes[i];
                count++;
                break;
            }
    }
    return count;
}

finn_node *finn_model_single_consumer(const finn_model *m, const char *tensor)
{
    finn_node *n = NULL;
    return finn_model_consumers(m, tensor, &n, 1) == 1 ? n : NULL;
}

static bool tensor_name_used(const finn_model *m, const char *name)
{
    if (finn_model_value(m, name) || finn_model_is_input(m, name) || finn_model_is_output(m, name))
        return true;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs; k++)
            if (!strcmp(n->inputs[k], name))
                return true;
        for (size_t k = 0; k < n->n_outputs; k++)
            if (!strcmp(n->outputs[k], name))
                return true;
    }
    return false;
}

/* The counter (one per prefix) only grows, so two names asked for in a row differ even when
 * the caller has not used the first one in the graph yet. */
char *finn_model_unique_tensor_name(const finn_model *m, const char *prefix)
{
    char buf[512];
    model_priv *p = model_priv_of(m);
    name_counter *nc = NULL;
    HASH_FIND_STR(p->counters, prefix, nc);
    if (!nc) {
        nc = calloc(1, sizeof *nc);
        if (!nc || !(nc->prefix = strdup(prefix))) {
            free(nc);
            return NULL;
        }
        HASH_ADD_KEYPTR(hh, p->counters, nc->prefix, strlen(nc->prefix), nc);
    }
    for (unsigned long k = nc->next;; k++) {
        snprintf(buf, sizeof buf, "%s_%lu", prefix, k);
        if (!tensor_name_used(m, buf)) {
            nc->next = k + 1;
            return strdup(buf);
        }
    }
}

char *finn_model_unique_node_name(const finn_model *m, const char *op_type)
{
    char buf[512];
    for (unsigned long k = 0;; k++) {
        snprintf(buf, sizeof buf, "%s_%lu", op_type, k);
        if (!finn_model_find_node(m, buf))
            return strdup(buf);
    }
}

/* Output name -> index of the first node (in graph order) writing it. */
typedef struct producer_entry {
    const char *name; /* points into the node */
    size_t node;
    UT_hash_handle hh;
} producer_entry;

/* For every input slot of every node (flattened in node order), the index
 * of its producer or SIZE_MAX; one hash pass instead of a graph scan per
 * slot.  *slots_out gets the flat array, caller frees. */
static int producer_slots(const finn_model *m, size_t **slots_out, finn_error *err)
{
    size_t n_out = 0, n_in = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        n_out += m->nodes[i]->n_outputs;
        n_in += m->nodes[i]->n_inputs;
    }
    producer_entry *pool = finn_xcalloc(n_out ? n_out : 1, sizeof *pool, err);
    size_t *slots = finn_xmalloc((n_in ? n_in : 1) * sizeof *slots, err);
    if (!pool || !slots) {
        free(pool);
        free(slots);
        return -1;
    }
    producer_entry *map = NULL;
    size_t used = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < m->nodes[i]->n_outputs; k++) {
            const char *o = m->nodes[i]->outputs[k];
            producer_entry *e = NULL;
            if (!*o)
                continue;
            HASH_FIND_STR(map, o, e);
            if (e)
                continue; /* the first producer wins, as finn_model_producer */
            e = &pool[used++];
            e->name = o;
            e->node = i;
            HASH_ADD_KEYPTR(hh, map, e->name, strlen(e->name), e);
        }
    size_t s = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < m->nodes[i]->n_inputs; k++) {
            const char *t = m->nodes[i]->inputs[k];
            producer_entry *e = NULL;
            if (*t)
                HASH_FIND_STR(map, t, e);
            slots[s++] = e ? e->node : SIZE_MAX;
        }
    HASH_CLEAR(hh, map);
    free(pool);
    *slots_out = slots;
    return 0;
}

/* The usual case, in one pass: when every producer already comes before
 * its consumers, a node's level below is its depth (1 + the deepest
 * producer's), so the result is the nodes stably sorted by depth.  false
 * (nothing changed) when the order is not topological. */
static bool sort_ordered_by_depth(finn_model *m, const size_t *prod, const size_t *first_slot,
                                  size_t *depth, finn_node **sorted)
{
    size_t n = m->n_nodes, max_depth = 0;
    bool monotone = true;
    for (size_t i = 0; i < n; i++) {
        size_t d = 0;
        for (size_t s = first_slot[i]; s < first_slot[i + 1]; s++) {
            size_t pi = prod[s];
            if (pi == SIZE_MAX)
                continue;
            if (pi >= i)
                return false; /* not topological (or a cycle): the general path */
            d = depth[pi] + 1 > d ? depth[pi] + 1 : d;
        }
        depth[i] = d;
        monotone = monotone && (i == 0 || depth[i - 1] <= d);
        max_depth = d > max_depth ? d : max_depth;
    }
    if (monotone)
        return true; /* already in level order */
    size_t k = 0;
    for (size_t d = 0; d <= max_depth; d++) /* depth <= n, so this stays O(n^2) at worst */
        for (size_t i = 0; i < n; i++)
            if (depth[i] == d)
                sorted[k++] = m->nodes[i];
    memcpy(m->nodes, sorted, n * sizeof *sorted);
    return true;
}

/* Kahn's algorithm by levels, as QONNX's SortGraph (toposort_flatten with
 * sorting): every node whose producers are all placed joins the next level;
 * a level keeps the original order.  Unlike SortGraph, a node with neither
 * predecessors nor successors is kept, not dropped. */
int finn_model_toposort(finn_model *m, finn_error *err)
{
    size_t n = m->n_nodes;
    if (n < 2)
        return 0;
    size_t *level = finn_xmalloc(n * sizeof *level, err);
    size_t *first_slot = finn_xmalloc((n + 1) * sizeof *first_slot, err);
    finn_node **sorted = finn_xmalloc(n * sizeof *sorted, err);
    size_t *prod = NULL;
    if (!level || !first_slot || !sorted || producer_slots(m, &prod, err)) {
        free(level);
        free(first_slot);
        free(sorted);
        return -1;
    }
    first_slot[0] = 0;
    for (size_t i = 0; i < n; i++)
        first_slot[i + 1] = first_slot[i] + m->nodes[i]->n_inputs;
    if (sort_ordered_by_depth(m, prod, first_slot, level, sorted)) {
        free(level);
        free(first_slot);
        free(sorted);
        free(prod);
        return 0;
    }
    size_t placed = 0;
    for (size_t i = 0; i < n; i++)
        level[i] = SIZE_MAX;
    for (size_t lv = 0; placed < n; lv++) {
        size_t before = placed;
        for (size_t i = 0; i < n; i++) {
            if (level[i] != SIZE_MAX)
                continue;
            bool ready = true;
            for (size_t s = first_slot[i]; s < first_slot[i + 1] && ready; s++) {
                size_t pi = prod[s];
                if (pi == SIZE_MAX)
                    continue;
                if (level[pi] == SIZE_MAX || level[pi] == lv)
                    ready = false;
            }
            if (ready) {
                level[i] = lv;
                sorted[placed++] = m->nodes[i];
            }
        }
        if (placed == before) {
            for (size_t i = 0; i < n; i++)
                if (level[i] == SIZE_MAX) {
                    finn_error_set(err, FINN_ERR_INVALID,
                                   "the graph has a cycle through node '%s' (%s)",
                                   m->nodes[i]->name, m->nodes[i]->op_type);
                    break;
                }
            free(level);
            free(first_slot);
            free(sorted);
            free(prod);
            return -1;
        }
    }
    memcpy(m->nodes, sorted, n * sizeof *sorted);
    free(level);
    free(first_slot);
    free(sorted);
    free(prod);
    return 0;
}

static bool is_produced(const finn_model *m, const char *t)
{
    return finn_model_producer(m, t) || finn_model_is_input(m, t) ||
           finn_model_initializer(m, t) != NULL;
}

int finn_model_check(const finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs; k++) {
            const char *t = n->inputs[k];
            if (*t && !is_produced(m, t))
                return finn_error_set(err, FINN_ERR_INVALID,
                                      "node '%s' (%s): input %zu '%s' is not produced by any node, "
                                      "not an initializer and not a graph input",
                                      n->name, n->op_type, k, t);
        }
    }
    for (size_t i = 0; i < m->n_outputs; i++)
        if (!is_produced(m, m->outputs[i]))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "graph output '%s' is not produced by any node", m->outputs[i]);
    return 0;
}

static int rename_in(char **list, size_t n, const char *from, const char *to, finn_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], from)) {
            char *s = finn_xstrdup(to, err);
            if (!s)
                return -1;
            free(list[i]);
            list[i] = s;
        }
    return 0;
}

int finn_model_rename_tensor(finn_model *m, const char *from, const char *to, finn_error *err)
{
    if (!strcmp(from, to))
        return 0;
    if (finn_model_value(m, to))
        return finn_error_set(err, FINN_ERR_INVALID, "cannot rename tensor '%s' to '%s': name in use",
                              from, to);
    /* from may point into a slot we are about to free */
    char *src = finn_xstrdup(from, err);
    if (!src)
        return -1;
    int rc = rename_in(m->inputs, m->n_inputs, src, to, err) ||
             rename_in(m->outputs, m->n_outputs, src, to, err);
    for (size_t i = 0; !rc && i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        rc = rename_in(n->inputs, n->n_inputs, src, to, err) ||
             rename_in(n->outputs, n->n_outputs, src, to, err);
    }
    finn_value *v = finn_model_value(m, src);
    if (!rc && v)
        rc = finn_model_reindex_value(m, v, to, err);
    free(src);
    return rc ? -1 : 0;
}

/* ---- batch renaming -------------------------------------------------------- */

typedef struct slot_entry {
    char *name;    /* owned copy */
    char ***slots; /* addresses of the char * slots holding this name */
    size_t n, cap;
    UT_hash_handle hh;
} slot_entry;

struct rename_index {
    slot_entry *map;
};

static slot_entry *slot_find(const rename_index *ix, const char *name)
{
    slot_entry *e = NULL;
    HASH_FIND_STR(ix->map, name, e);
    return e;
}

static void slot_entry_free(slot_entry *e)
{
    if (!e)
        return;
    free(e->name);
    free(e->slots);
    free(e);
}

static slot_entry *slot_get(rename_index *ix, const char *name, finn_error *err)
{
    slot_entry *e = slot_find(ix, name);
    if (e)
        return e;
    e = finn_xcalloc(1, sizeof *e, err);
    if (!e || !(e->name = finn_xstrdup(name, err))) {
        free(e);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, ix->map, e->name, strlen(e->name), e);
    return e;
}

static int slot_add(rename_index *ix, char **slot, finn_error *err)
{
    slot_entry *e = slot_get(ix, *slot, err);
    if (!e || finn_grow((void **)&e->slots, &e->cap, e->n + 1, sizeof *e->slots, err))
        return -1;
    e->slots[e->n++] = slot;
    return 0;
}

void finn_rename_index_free(rename_index *ix)
{
    if (!ix)
        return;
    slot_entry *e, *tmp;
    HASH_ITER(hh, ix->map, e, tmp) {
        HASH_DEL(ix->map, e);
        slot_entry_free(e);
    }
    free(ix);
}

rename_index *finn_rename_index_new(finn_model *m, finn_error *err)
{
    rename_index *ix = finn_xcalloc(1, sizeof *ix, err);
    if (!ix)
        return NULL;
    int rc = 0;
    for (size_t i = 0; !rc && i < m->n_inputs; i++)
        rc = slot_add(ix, &m->inputs[i], err);
    for (size_t i = 0; !rc && i < m->n_outputs; i++)
        rc = slot_add(ix, &m->outputs[i], err);
    for (size_t i = 0; !rc && i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        for (size_t k = 0; !rc && k < n->n_inputs; k++)
            rc = slot_add(ix, &n->inputs[k], err);
        for (size_t k = 0; !rc && k < n->n_outputs; k++)
            rc = slot_add(ix, &n->outputs[k], err);
    }
    if (rc) {
        finn_rename_index_free(ix);
        return NULL;
    }
    return ix;
}

bool finn_rename_index_in_use(const rename_index *ix, const finn_model *m, const char *name)
{
    const slot_entry *e = slot_find(ix, name);
    return finn_model_value(m, name) || (e && e->n > 0);
}

int finn_rename_index_rename(rename_index *ix, finn_model *m, const char *from, const char *to,
                             finn_error *err)
{
    if (!strcmp(from, to))
        return 0;
    if (finn_model_value(m, to))
        return finn_error_set(err, FINN_ERR_INVALID, "cannot rename tensor '%s' to '%s': name in use",
                              from, to);
    /* from may point into a slot we are about to free */
    char *src = finn_xstrdup(from, err);
    if (!src)
        return -1;
    int rc = 0;
    slot_entry *e = slot_find(ix, src);
    if (e && e->n) {
        slot_entry *dst = slot_get(ix, to, err);
        if (!dst || finn_grow((void **)&dst->slots, &dst->cap, dst->n + e->n, sizeof *dst->slots,
                              err))
            rc = -1;
        for (size_t i = 0; !rc && i < e->n; i++) {
            char *s = finn_xstrdup(to, err);
            if (!s) {
                rc = -1;
                break;
            }
            free(*e->slots[i]);
            *e->slots[i] = s;
            dst->slots[dst->n++] = e->slots[i];
            e->slots[i] = NULL;
        }
        if (!rc) {
            HASH_DEL(ix->map, e);
            slot_entry_free(e);
        }
    }
    finn_value *v = finn_model_value(m, src);
    if (!rc && v)
        rc = finn_model_reindex_value(m, v, to, err);
    free(src);
    return rc ? -1 : 0;
}

size_t finn_model_repair_domains(finn_model *m)
{
    size_t changed = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        const char *to = NULL;
        if (!strcmp(n->domain, "finn")) {
            const char *be = finn_node_attr_s(n, "backend", NULL);
            to = be && !strcmp(be, "fpgadataflow") ? "finn.custom_op.fpgadataflow"
                                                   : "qonnx.custom_op.general";
        } else if (!strcmp(n->domain, "finn.custom_op.general")) {
            to = "qonnx.custom_op.general";
        }
        if (!to)
            continue;
        char *d = strdup(to);
        if (!d)
            continue;
        free(n->domain);
        n->domain = d;
        changed++;
    }
    return changed;
}
