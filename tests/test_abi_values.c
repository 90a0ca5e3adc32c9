/* The pinned values of every public enumerator (docs/abi.md): a value that
 * changes breaks every program and binding built against an earlier header,
 * and every saved model that stores it. Adding an enumerator is fine;
 * renumbering one fails here. */
#include <check.h>

#include "ram/ram.h"

typedef struct pin {
    const char *name;
    long value, pinned;
} pin;

#define PIN(e, v) {#e, (long)(e), v}

static const pin PINS[] = {
    PIN(RAM_OK, 0), PIN(RAM_E_INVALID, 1), PIN(RAM_E_RANGE, 2), PIN(RAM_E_NOMEM, 3),
    PIN(RAM_E_STATE, 4), PIN(RAM_E_NONFINITE, 5), PIN(RAM_E_FORMAT, 6), PIN(RAM_E_VERSION, 7),
    PIN(RAM_E_CHECKSUM, 8), PIN(RAM_E_TRUNCATED, 9), PIN(RAM_E_IO, 10), PIN(RAM_E_BUFFER, 11),
    PIN(RAM_E_UNSUPPORTED, 12),

    PIN(RAM_CFG_PATCH, 1), PIN(RAM_CFG_SCALES, 2), PIN(RAM_CFG_CHANNELS, 3),
    PIN(RAM_CFG_GLIMPSE_WHAT, 4), PIN(RAM_CFG_GLIMPSE_WHERE, 5), PIN(RAM_CFG_GLIMPSE_SIZE, 6),
    PIN(RAM_CFG_CORE, 7), PIN(RAM_CFG_HIDDEN, 8), PIN(RAM_CFG_ACTIONS, 9),
    PIN(RAM_CFG_ACTION_MODE, 10), PIN(RAM_CFG_MAX_STEPS, 11), PIN(RAM_CFG_LOCATION_BOUND, 12),
    PIN(RAM_CFG_SEED, 13), PIN(RAM_CFG_TRAINABLE, 14),
    PIN(RAM_CFG_INPUT_WIDTH, 15), PIN(RAM_CFG_INPUT_HEIGHT, 16), PIN(RAM_CFG_INPUT_FORMAT, 17),

    PIN(RAM_PARAM_LEARNING_RATE, 1), PIN(RAM_PARAM_OPTIMIZER, 2), PIN(RAM_PARAM_MOMENTUM, 3),
    PIN(RAM_PARAM_ADAM_BETA1, 4), PIN(RAM_PARAM_ADAM_BETA2, 5), PIN(RAM_PARAM_ADAM_EPSILON, 6),
    PIN(RAM_PARAM_CLIP_NORM, 7), PIN(RAM_PARAM_LOCATION_STD, 8), PIN(RAM_PARAM_GAMMA, 9),
    PIN(RAM_PARAM_XENT_WEIGHT, 10), PIN(RAM_PARAM_REINFORCE_WEIGHT, 11),
    PIN(RAM_PARAM_BASELINE_WEIGHT, 12), PIN(RAM_PARAM_BASELINE_TRAINS_CORE, 13),
    PIN(RAM_PARAM_RANDOM_GLIMPSES, 14), PIN(RAM_PARAM_WEIGHT_DECAY, 15),
    PIN(RAM_PARAM_ENTROPY_WEIGHT, 16), PIN(RAM_PARAM_LOCATION_CORE_WEIGHT, 17),
    PIN(RAM_PARAM_LOCATION_LR_SCALE, 18), PIN(RAM_PARAM_FIRST_LOCATION, 19),
    PIN(RAM_PARAM_GLIMPSE_DROPOUT, 20), PIN(RAM_PARAM_ACTION_DROPOUT, 21),

    PIN(RAM_FIRST_LEARNED, 0), PIN(RAM_FIRST_CENTER, 1), PIN(RAM_FIRST_UNIFORM, 2),
    PIN(RAM_OPT_SGD, 1), PIN(RAM_OPT_ADAM, 2),
    PIN(RAM_ACTION_CLASSIFY, 1), PIN(RAM_ACTION_CONTROL, 2),
    PIN(RAM_CORE_RNN, 1), PIN(RAM_CORE_LSTM, 2),
    PIN(RAM_BOUND_TANH, 1), PIN(RAM_BOUND_HARDTANH, 2),
    PIN(RAM_PIXEL_U8, 1), PIN(RAM_PIXEL_F32, 2),
    PIN(RAM_BEGIN_TRAIN, 1), PIN(RAM_BEGIN_GREEDY_LOCATION, 2), PIN(RAM_BEGIN_GREEDY_ACTION, 4),
    PIN(RAM_SAVE_OPTIMIZER, 1), PIN(RAM_LOAD_INFERENCE, 1),

    PIN(RAM_STAT_XENT, 1), PIN(RAM_STAT_ACCURACY, 2), PIN(RAM_STAT_RETURN, 3),
    PIN(RAM_STAT_BASELINE_MSE, 4), PIN(RAM_STAT_GRAD_NORM, 5), PIN(RAM_STAT_STEPS, 6),
    PIN(RAM_STAT_UPDATES, 7), PIN(RAM_STAT_ENTROPY, 8),
    PIN(RAM_STAT_REFUSED_UPDATES, 9),
};

START_TEST(enumerators_keep_their_values)
{
    const pin *p = &PINS[_i];
    ck_assert_msg(p->value == p->pinned, "%s is %ld, pinned at %ld", p->name, p->value,
                  p->pinned);
}
END_TEST

/* Every pinned tunable key is known to the library, with bounds and a
 * default; the first key after the last is not. */
START_TEST(tunable_keys_are_contiguous)
{
    double lo, hi, def;
    for (int k = RAM_PARAM_LEARNING_RATE; k <= RAM_PARAM_ACTION_DROPOUT; k++) {
        ck_assert_int_eq(ram_param_bounds(k, &lo, &hi), RAM_OK);
        ck_assert_int_eq(ram_param_default(k, &def), RAM_OK);
        ck_assert(lo <= def && def <= hi);
    }
    ck_assert_int_eq(ram_param_bounds(RAM_PARAM_ACTION_DROPOUT + 1, &lo, &hi), RAM_E_INVALID);
}
END_TEST

Suite *suite_abi_values(void)
{
    Suite *s = suite_create("abi_values");
    TCase *tc = tcase_create("pinned");
    tcase_add_loop_test(tc, enumerators_keep_their_values, 0,
                        (int)(sizeof PINS / sizeof PINS[0]));
    tcase_add_test(tc, tunable_keys_are_contiguous);
    suite_add_tcase(s, tc);
    return s;
}
