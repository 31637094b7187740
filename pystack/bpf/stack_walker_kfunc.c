// SPDX-License-Identifier: GPL-2.0
/* stack_walker.c's walk, reading with bpf_copy_from_user_pid(), the kfunc
 * of kmod/copy_from_user_pid.ko: the walk on the kernel a user runs.
 */
#define WALK_WITH_KFUNC
#include "stack_walker.c"
