/*
 * plugin.c - the examples plugin: the CNV tutorial's two custom steps, as a
 * user would write them (see docs/plugins.md).  Built as examples.so.
 */
#include <finn/plugin.h>

int examples_add_pre_proc(finn_model **model, finn_build *build, finn_error *err);
int examples_add_post_proc(finn_model **model, finn_build *build, finn_error *err);

FINN_PLUGIN("examples",
            FINN_STEP("custom_step_add_pre_proc", examples_add_pre_proc,
                      "Prepend Div(x, 255) with a UINT8 input (the CNV tutorial's ToTensor "
                      "pre-processing)"),
            FINN_STEP("custom_step_add_post_proc", examples_add_post_proc,
                      "Append TopK(k=1) to graph output 0 (the CNV tutorial's post-processing)"))
