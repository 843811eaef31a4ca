/*
 * res_other.c - the rtl plugin's copy of the resource-estimate helpers of
 * the non-MAC variants.  Each plugin is its own shared object with hidden
 * symbols, so the one implementation in plugins/hls/res_other.c is compiled
 * into both rather than kept twice.
 */
#include "hls/res_other.c"
