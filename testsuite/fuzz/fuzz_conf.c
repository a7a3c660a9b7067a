/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: leviathan.conf text through lv_conf_parse. */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_error err = {0};
	struct lv_conf *conf;
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	/* No slash in the name: a relative Include resolves against the
	 * working directory, where the fuzzer's files have hashed names. */
	conf = lv_conf_parse(text, "fuzz.conf", &err);
	free(text);
	if (!conf) {
		assert(err.code < 0 && err.text[0]);
		return 0;
	}
	/* What the daemons read first must be there after a success. */
	for (size_t i = 0; i < conf->n_nodes; i++)
		assert(conf->nodes[i].name && conf->nodes[i].addr);
	for (size_t i = 0; i < conf->n_partitions; i++)
		assert(conf->partitions[i].name);
	lv_conf_destroy(conf);
	return 0;
}
