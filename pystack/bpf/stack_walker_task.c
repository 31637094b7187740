// SPDX-License-Identifier: GPL-2.0
/* stack_walker.c's walk, reading with bpf_task_from_pid() once per sample
 * and bpf_copy_from_user_task() per read: what a program can do today.
 */
#define WALK_WITH_TASK
#include "stack_walker.c"
