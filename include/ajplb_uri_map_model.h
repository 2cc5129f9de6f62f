/*
 * ajplb_uri_map_model.h -- CORE: the parts of building a server's mount
 * map that need the worker model: the workers.properties "mount" rules
 * and the check that every mount names a listed worker.  Shared by the
 * httpd adapter and the ajplb command, so both judge a configuration
 * the same way.
 */
#ifndef AJPLB_URI_MAP_MODEL_H
#define AJPLB_URI_MAP_MODEL_H

#include "ajplb_config.h"
#include "ajplb_uri_map.h"

/** Add the "mount" rules of every worker in worker.list to @a map. */
void ajplb_uri_map_add_worker_mounts(ajplb_uri_map_t *map,
                                     const ajplb_model_t *model);

/**
 * One error in @a d per enabled mount of the built @a map whose worker is
 * not defined or not in worker.list (@a model may be NULL: no workers).
 */
void ajplb_uri_map_check_workers(const ajplb_uri_map_t *map,
                                 const ajplb_model_t *model,
                                 ajplb_diags_t *d);

#endif /* AJPLB_URI_MAP_MODEL_H */
