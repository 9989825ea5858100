// SPDX-License-Identifier: MIT
/*
 * dnngov-client-example: send images to a dnngovd socket workload and print
 * the top classes, the level the daemon used and the latency. Uses only
 * the public API (<dnngov/dnngov.h>).
 *
 *   dnngov-client-example [-s SOCKET] [-k TOPK] WORKLOAD IMAGE.pgm|.ppm...
 *   dnngov-client-example [-s SOCKET] [-k TOPK] -n N WORKLOAD IMAGES.idx[.gz]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <dnngov/dnngov.h>

/* Binary PGM (P5) or PPM (P6), 8-bit. */
static uint8_t *read_pnm(const char *path, int *w, int *h, int *c)
{
	FILE *f = fopen(path, "rb");
	int maxval = 0;
	char m[3] = { 0 };
	uint8_t *px;
	size_t n;

	if (!f)
		return NULL;
	if (fscanf(f, "%2s %d %d %d", m, w, h, &maxval) != 4 ||
	    (strcmp(m, "P5") && strcmp(m, "P6")) || maxval != 255 ||
	    *w < 1 || *h < 1 || *w > 4096 || *h > 4096) {
		fprintf(stderr, "%s: not an 8-bit binary PGM/PPM (no comments)\n", path);
		fclose(f);
		return NULL;
	}
	fgetc(f);
	*c = m[1] == '5' ? 1 : 3;
	n = (size_t)*w * *h * *c;
	px = malloc(n);
	if (px && fread(px, 1, n, f) != n) {
		fprintf(stderr, "%s: truncated\n", path);
		free(px);
		px = NULL;
	}
	fclose(f);
	return px;
}

static void print_result(const char *what, const struct dnngov_client_result *r)
{
	int i;

	printf("%s: level %d (%.2f %%), %.3f ms (+%.3f ms queued):", what,
	       r->level, r->level_accuracy, r->latency_us / 1000.0,
	       r->queue_us / 1000.0);
	for (i = 0; i < r->n; i++)
		printf(" %d:%.3f", r->top[i].cls, r->top[i].prob);
	printf("\n");
}

static int run_idx(dnngov_client *c, const char *wl, const char *path, int n,
		   int k)
{
	static struct dnngov_client_result r;
	unsigned char hdr[16];
	uint8_t img[28 * 28 * 16];
	gzFile f = gzopen(path, "rb");
	int rows, cols, i, err;

	if (!f || gzread(f, hdr, 16) != 16 || hdr[2] != 8 || hdr[3] != 3) {
		fprintf(stderr, "%s: not an IDX image file\n", path);
		return 1;
	}
	rows = hdr[8] << 24 | hdr[9] << 16 | hdr[10] << 8 | hdr[11];
	cols = hdr[12] << 24 | hdr[13] << 16 | hdr[14] << 8 | hdr[15];
	if (rows * cols > (int)sizeof(img)) {
		fprintf(stderr, "%s: images of %dx%d are too large for this example\n",
			path, cols, rows);
		return 1;
	}
	for (i = 0; i < n; i++) {
		char what[32];

		if (gzread(f, img, (unsigned int)(rows * cols)) != rows * cols)
			break;
		err = dnngov_client_infer(c, wl, img, cols, rows, 1, k, &r);
		if (err) {
			fprintf(stderr, "image %d: %s\n", i, dnngov_errmsg());
			gzclose(f);
			return 1;
		}
		snprintf(what, sizeof(what), "image %d", i);
		print_result(what, &r);
	}
	gzclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static struct dnngov_client_result r;
	const char *sock = NULL;
	dnngov_client *c;
	int opt, k = 3, n = 0, i, status = 0;

	while ((opt = getopt(argc, argv, "s:k:n:h")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'k':
			k = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: %s [-s SOCKET] [-k TOPK] WORKLOAD IMAGE.pgm|.ppm...\n"
				"       %s [-s SOCKET] [-k TOPK] -n N WORKLOAD IMAGES.idx[.gz]\n",
				argv[0], argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "%s: give a workload and at least one image (-h for help)\n", argv[0]);
		return 2;
	}
	if (dnngov_client_connect(&c, sock)) {
		fprintf(stderr, "%s\n", dnngov_errmsg());
		return 1;
	}
	if (n > 0) {
		status = run_idx(c, argv[optind], argv[optind + 1], n, k);
	} else {
		for (i = optind + 1; i < argc; i++) {
			int w, h, ch;
			uint8_t *px = read_pnm(argv[i], &w, &h, &ch);

			if (!px) {
				status = 1;
				continue;
			}
			if (dnngov_client_infer(c, argv[optind], px, w, h, ch, k, &r)) {
				fprintf(stderr, "%s: %s\n", argv[i], dnngov_errmsg());
				status = 1;
			} else {
				print_result(argv[i], &r);
			}
			free(px);
		}
	}
	dnngov_client_close(c);
	return status;
}
