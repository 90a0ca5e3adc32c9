/* libram: create-time configuration and the tunable-parameter tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent_internal.h"

typedef struct cfg_spec {
    int64_t min, max, def;
} cfg_spec;

/* Indexed by ram_config_key; index 0 unused. */
static const cfg_spec CFG[RAM__CFG_COUNT] = {
    [RAM_CFG_PATCH] = {1, RAM_SENSOR_MAX_PATCH, 8},
    [RAM_CFG_SCALES] = {1, RAM_SENSOR_MAX_SCALES, 1},
    [RAM_CFG_CHANNELS] = {1, RAM_SENSOR_MAX_CHANNELS, 1},
    [RAM_CFG_GLIMPSE_WHAT] = {1, RAM_MAX_UNITS, 128},
    [RAM_CFG_GLIMPSE_WHERE] = {1, RAM_MAX_UNITS, 128},
    [RAM_CFG_GLIMPSE_SIZE] = {1, RAM_MAX_UNITS, 256},
    [RAM_CFG_CORE] = {RAM_CORE_RNN, RAM_CORE_LSTM, RAM_CORE_RNN},
    [RAM_CFG_HIDDEN] = {1, RAM_MAX_UNITS, 256},
    [RAM_CFG_ACTIONS] = {2, RAM_MAX_ACTIONS, 10},
    [RAM_CFG_ACTION_MODE] = {RAM_ACTION_CLASSIFY, RAM_ACTION_CONTROL,
                             RAM_ACTION_CLASSIFY},
    [RAM_CFG_MAX_STEPS] = {1, RAM__MAX_STEPS, 6},
    [RAM_CFG_LOCATION_BOUND] = {RAM_BOUND_TANH, RAM_BOUND_HARDTANH,
                                RAM_BOUND_TANH},
    [RAM_CFG_SEED] = {INT64_MIN, INT64_MAX, 1},
    [RAM_CFG_TRAINABLE] = {0, 1, 1},
    [RAM_CFG_INPUT_WIDTH] = {0, RAM_SENSOR_MAX_IMAGE, 0},
    [RAM_CFG_INPUT_HEIGHT] = {0, RAM_SENSOR_MAX_IMAGE, 0},
    [RAM_CFG_INPUT_FORMAT] = {0, RAM_PIXEL_F32, 0},
};

static int cfg_key_ok(int key)
{
    return key >= 1 && key < RAM__CFG_COUNT;
}

int ram_config_bounds(int key, int64_t *min, int64_t *max)
{
    if (!cfg_key_ok(key))
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a configuration key",
                        key);
    if (min)
        *min = CFG[key].min;
    if (max)
        *max = CFG[key].max;
    return RAM_OK;
}

void ram__config_defaults(int64_t *v)
{
    v[0] = 0;
    for (int k = 1; k < RAM__CFG_COUNT; k++)
        v[k] = CFG[k].def;
}

int ram__config_check(int key, int64_t value)
{
    if (!cfg_key_ok(key))
        return RAM_E_INVALID;
    if (value < CFG[key].min || value > CFG[key].max)
        return RAM_E_RANGE;
    return RAM_OK;
}

int ram_config_create(ram_config **out)
{
    if (!out)
        return RAM_FAIL(RAM_E_INVALID, "out is NULL");
    *out = NULL;
    ram_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return RAM_FAIL(RAM_E_NOMEM, "the configuration");
    ram__config_defaults(cfg->v);
    *out = cfg;
    return RAM_OK;
}

void ram_config_free(ram_config *cfg)
{
    free(cfg);
}

int ram_config_set(ram_config *cfg, int key, int64_t value)
{
    if (!cfg)
        return RAM_FAIL(RAM_E_INVALID, "cfg is NULL");
    int rc = ram__config_check(key, value);
    if (rc == RAM_E_INVALID)
        return RAM_FAIL(rc, "key %d is not a configuration key", key);
    if (rc != RAM_OK)
        return RAM_FAIL(rc, "key %d: value %lld is outside [%lld, %lld]", key,
                        (long long)value, (long long)CFG[key].min,
                        (long long)CFG[key].max);
    cfg->v[key] = value;
    return RAM_OK;
}

int ram_config_get(const ram_config *cfg, int key, int64_t *value)
{
    if (!cfg)
        return RAM_FAIL(RAM_E_INVALID, "cfg is NULL");
    if (!value)
        return RAM_FAIL(RAM_E_INVALID, "value is NULL");
    if (!cfg_key_ok(key))
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a configuration key",
                        key);
    *value = cfg->v[key];
    return RAM_OK;
}

/* ------------------------------------------------------------ tunables */

typedef struct param_spec {
    double min, max, def;
    int integer;
} param_spec;

static const param_spec PARAM[RAM__PARAM_COUNT] = {
    [RAM_PARAM_LEARNING_RATE] = {0.0, 10.0, 1e-3, 0},
    [RAM_PARAM_OPTIMIZER] = {RAM_OPT_SGD, RAM_OPT_ADAM, RAM_OPT_ADAM, 1},
    [RAM_PARAM_MOMENTUM] = {0.0, 0.999999, 0.9, 0},
    [RAM_PARAM_ADAM_BETA1] = {0.0, 0.999999, 0.9, 0},
    [RAM_PARAM_ADAM_BETA2] = {0.0, 0.999999, 0.999, 0},
    [RAM_PARAM_ADAM_EPSILON] = {1e-12, 1.0, 1e-8, 0},
    [RAM_PARAM_CLIP_NORM] = {0.0, 1e9, 0.0, 0},
    [RAM_PARAM_LOCATION_STD] = {1e-6, RAM_LOCATION_MAX_STD,
                                RAM__LOCATION_STD_DEFAULT, 0},
    [RAM_PARAM_GAMMA] = {0.0, 1.0, 1.0, 0},
    [RAM_PARAM_XENT_WEIGHT] = {0.0, 1e6, 1.0, 0},
    [RAM_PARAM_REINFORCE_WEIGHT] = {0.0, 1e6, 1.0, 0},
    [RAM_PARAM_BASELINE_WEIGHT] = {0.0, 1e6, 1.0, 0},
    [RAM_PARAM_BASELINE_TRAINS_CORE] = {0, 1, 0, 1},
    [RAM_PARAM_RANDOM_GLIMPSES] = {0, 1, 0, 1},
    [RAM_PARAM_WEIGHT_DECAY] = {0.0, 1.0, 0.0, 0},
    [RAM_PARAM_ENTROPY_WEIGHT] = {0.0, 1e6, 0.0, 0},
    [RAM_PARAM_LOCATION_CORE_WEIGHT] = {0.0, 1.0, 1.0, 0},
    [RAM_PARAM_LOCATION_LR_SCALE] = {0.0, 1.0, 1.0, 0},
    [RAM_PARAM_FIRST_LOCATION] = {RAM_FIRST_LEARNED, RAM_FIRST_UNIFORM,
                                  RAM_FIRST_LEARNED, 1},
    [RAM_PARAM_GLIMPSE_DROPOUT] = {0.0, RAM__MAX_DROPOUT, 0.0, 0},
    [RAM_PARAM_ACTION_DROPOUT] = {0.0, RAM__MAX_DROPOUT, 0.0, 0},
};

static int param_key_ok(int key)
{
    return key >= 1 && key < RAM__PARAM_COUNT;
}

int ram_param_bounds(int key, double *min, double *max)
{
    if (!param_key_ok(key))
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a tunable (ram_param)",
                        key);
    if (min)
        *min = PARAM[key].min;
    if (max)
        *max = PARAM[key].max;
    return RAM_OK;
}

int ram_param_default(int key, double *value)
{
    if (!param_key_ok(key))
        return RAM_FAIL(RAM_E_INVALID, "key %d is not a tunable (ram_param)",
                        key);
    if (!value)
        return RAM_FAIL(RAM_E_INVALID, "value is NULL");
    *value = PARAM[key].def;
    return RAM_OK;
}

void ram__param_defaults(double *v)
{
    v[0] = 0.0;
    for (int k = 1; k < RAM__PARAM_COUNT; k++)
        v[k] = PARAM[k].def;
}

int ram__param_check(int key, double value)
{
    if (!param_key_ok(key))
        return RAM_E_INVALID;
    if (!(value >= PARAM[key].min && value <= PARAM[key].max))
        return RAM_E_RANGE; /* also NaN */
    if (PARAM[key].integer && value != floor(value))
        return RAM_E_RANGE;
    return RAM_OK;
}
