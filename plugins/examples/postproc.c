/*
 * postproc.c - the CNV tutorial's post-processing custom step, written the
 * way a user writes a plugin: one step function (registered in plugin.c).
 */
#include <finn/plugin.h>

/* custom_step_add_post_proc: append TopK(k=1) so the accelerator returns
 * the class index (FINN tutorial, InsertTopK(k=1)). */
int examples_add_post_proc(finn_model **model, finn_build *build, finn_error *err)
{
    (void)build;
    return finn_insert_topk(*model, 1, err);
}
