#include "util/entropy.h"

#include <math.h>

double gb_entropy(const uint8_t *p, size_t n, int *ret_fill)
{
	uint64_t count[256] = {0};
	double h = 0.0;

	*ret_fill = -1;
	if (n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	for (int b = 0; b < 256; b++) {
		if (count[b] == 0)
			continue;
		if (count[b] == n)
			*ret_fill = b;
		double q = (double)count[b] / (double)n;
		h -= q * log2(q);
	}
	return h < 0 ? 0.0 : h;
}
