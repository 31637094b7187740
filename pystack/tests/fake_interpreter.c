// SPDX-License-Identifier: GPL-2.0
/* A program that looks like CPython to pystack from the outside: it is
 * named python..., exports _PyRuntime and Py_Version (PY_VERSION_HEX when
 * built), but its _PyRuntime holds no interpreter of CPython 3.11's
 * layout: every word points at a block of zeros. pystack must say that
 * its layout table does not fit (or that the version is not 3.11).
 * Prints "up" and waits to be killed.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#ifndef PY_VERSION_HEX
#error "build with -DPY_VERSION_HEX=0x030b07f0 or the like"
#endif

const uint32_t Py_Version = PY_VERSION_HEX;
uint64_t _PyRuntime[512];
static uint64_t zeros[512];

int main(void)
{
	for (int i = 0; i < 512; i++)
		_PyRuntime[i] = (uint64_t)(uintptr_t)zeros;
	printf("up\n");
	fflush(stdout);
	for (;;)
		pause();
}
