/*
 * res_other.h - the rtl plugin uses the shared helpers of plugins/hls.
 */
#include "hls/res_other.h"
