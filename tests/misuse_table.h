/* The misuse table of tests/test_misuse.c: one E() per exported function
 * that returns a status. E(name, argument kinds, fixture stage, the call
 * on argument slots a[], the valid arguments). Included twice. */
#define F0 P(F->f[0])
#define F1 P(F->f[1])
#define F2 P(F->f[2])
#define F3 P(F->f[3])
#define F4 P(F->f[4])
#define F5 P(F->f[5])
#define F6 P(F->f[6])
#define F7 P(F->f[7])
#define I0 P(F->i[0])
#define I1 P(F->i[1])
#define OUT(k) P(&F->out[k])

/* config */
E(ram_config_create, "p", 0, ram_config_create(PT(0)), OUT(0))
E(ram_config_set, "hkx", 0, ram_config_set(PT(0), KK(1), (int64_t)a[2]),
  P(F->cfg), RAM_CFG_PATCH, 4)
E(ram_config_get, "hkp", 0, ram_config_get(PT(0), KK(1), PT(2)), P(F->cfg),
  RAM_CFG_HIDDEN, P(&F->i64[0]))
E(ram_config_bounds, "koo", 0, ram_config_bounds(KK(0), PT(1), PT(2)),
  RAM_CFG_HIDDEN, P(&F->i64[0]), P(&F->i64[1]))
E(ram_param_bounds, "koo", 0, ram_param_bounds(KK(0), PT(1), PT(2)),
  RAM_PARAM_GAMMA, P(&F->dbl[0]), P(&F->dbl[1]))
E(ram_param_default, "kp", 0, ram_param_default(KK(0), PT(1)),
  RAM_PARAM_GAMMA, P(&F->dbl[0]))

/* agent */
E(ram_agent_create, "pp", 0, ram_agent_create(PT(0), PT(1)), OUT(0),
  P(F->cfg))
E(ram_agent_get_config, "hkp", 0, ram_agent_get_config(PT(0), KK(1), PT(2)),
  P(F->agent), RAM_CFG_HIDDEN, P(&F->i64[0]))
E(ram_agent_set_param, "hkd", 0,
  ram_agent_set_param(PT(0), KK(1), D(2)), P(F->agent), RAM_PARAM_GAMMA,
  dbits(0.5))
E(ram_agent_get_param, "hkp", 0, ram_agent_get_param(PT(0), KK(1), PT(2)),
  P(F->agent), RAM_PARAM_GAMMA, P(&F->dbl[0]))
E(ram_agent_reset_params, "h", 0, ram_agent_reset_params(PT(0)),
  P(F->agent))
E(ram_agent_params, "hooo", 0, ram_agent_params(PT(0), PT(1), PT(2), PT(3)),
  P(F->agent), OUT(0), OUT(1), P(&F->sz[0]))
E(ram_agent_seed, "hx", 0, ram_agent_seed(PT(0), UU(1)), P(F->agent), 7)
E(ram_agent_set_input, "hkzzzz", 0,
  ram_agent_set_input(PT(0), KK(1), ZZ(2), ZZ(3), ZZ(4), ZZ(5)),
  P(F->agent), RAM_PIXEL_U8, 8, 8, 8, 64)
E(ram_agent_get_input, "hooooo", 0,
  ram_agent_get_input(PT(0), PT(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->agent), P(&F->in[0]), P(&F->sz[0]), P(&F->sz[1]), P(&F->sz[2]),
  P(&F->sz[3]))
E(ram_agent_batch, "hp", 0, ram_agent_batch(PT(0), PT(1)), P(F->agent),
  P(&F->sz[0]))
E(ram_agent_begin, "hnf", 0, ram_agent_begin(PT(0), ZZ(1), (unsigned)a[2]),
  P(F->agent), N, RAM_BEGIN_TRAIN)
E(ram_agent_location, "hp", 0, ram_agent_location(PT(0), PT(1)),
  P(F->agent), F2)
E(ram_agent_step, "hpzooo", 0,
  ram_agent_step(PT(0), PT(1), ZZ(2), PT(3), PT(4), PT(5)), P(F->agent),
  P(F->img), N * 64, F2, F3, I1)
E(ram_agent_reward, "hp", 0, ram_agent_reward(PT(0), PT(1)), P(F->agent),
  F0)
E(ram_agent_end, "ho", 0, ram_agent_end(PT(0), PT(1)), P(F->agent), I0)
E(ram_agent_update, "h", 1, ram_agent_update(PT(0)), P(F->agent))
E(ram_agent_grad_samples, "hp", 1, ram_agent_grad_samples(PT(0), PT(1)),
  P(F->agent), P(&F->u64))
E(ram_agent_set_grad_samples, "hu", 1,
  ram_agent_set_grad_samples(PT(0), UU(1)), P(F->agent), 3)
E(ram_agent_zero_grad, "h", 1, ram_agent_zero_grad(PT(0)), P(F->agent))
E(ram_agent_stat, "hkp", 1, ram_agent_stat(PT(0), KK(1), PT(2)),
  P(F->agent), RAM_STAT_XENT, P(&F->dbl[0]))
E(ram_agent_save, "hfozp", 0,
  ram_agent_save(PT(0), (unsigned)a[1], PT(2), ZZ(3), PT(4)), P(F->agent),
  RAM_SAVE_OPTIMIZER, F4, POOL * sizeof(float), P(&F->scratch))
E(ram_agent_load, "ppzf", 0,
  ram_agent_load(PT(0), PT(1), ZZ(2), (unsigned)a[3]), OUT(0),
  P(F->model), F->model_size, 0)
E(ram_agent_save_file, "hfp", 0,
  ram_agent_save_file(PT(0), (unsigned)a[1], PT(2)), P(F->agent), 0,
  P(F->path))
E(ram_agent_load_file, "ppf", 0,
  ram_agent_load_file(PT(0), PT(1), (unsigned)a[2]), OUT(0), P(F->path), 0)

/* sensor */
E(ram_sensor_create, "pzzz", 0, ram_sensor_create(PT(0), ZZ(1), ZZ(2), ZZ(3)),
  OUT(0), 4, 2, 1)
E(ram_sensor_shape, "hooo", 0, ram_sensor_shape(PT(0), PT(1), PT(2), PT(3)),
  P(F->sensor), P(&F->sz[0]), P(&F->sz[1]), P(&F->sz[2]))
E(ram_sensor_glimpse, "hnpkzzzzpp", 0,
  ram_sensor_glimpse(PT(0), ZZ(1), PT(2), KK(3), ZZ(4), ZZ(5), ZZ(6), ZZ(7),
                     PT(8), PT(9)),
  P(F->sensor), N, P(F->img), RAM_PIXEL_U8, 8, 8, 8, 64, F1, F2)
E(ram_sensor_patch_rect, "hzzpzppp", 0,
  ram_sensor_patch_rect(PT(0), ZZ(1), ZZ(2), PT(3), ZZ(4), PT(5), PT(6),
                        PT(7)),
  P(F->sensor), 8, 8, F1, 1, P(&F->pd[0]), P(&F->pd[1]), P(&F->sz[0]))

E(ram_sensor_glimpse_scaled, "hnpkzzzzppfp", 0,
  ram_sensor_glimpse_scaled(PT(0), ZZ(1), PT(2), KK(3), ZZ(4), ZZ(5), ZZ(6),
                            ZZ(7), PT(8), PT(9), (unsigned)a[10], PT(11)),
  P(F->sensor), N, P(F->img), RAM_PIXEL_U8, 8, 8, 8, 64, F1, P(F->f[8]),
  RAM_SENSOR_CONTINUOUS, F2)
E(ram_sensor_patch_rect_scaled, "hzzpdfzppp", 0,
  ram_sensor_patch_rect_scaled(PT(0), ZZ(1), ZZ(2), PT(3), (float)D(4),
                               (unsigned)a[5], ZZ(6), PT(7), PT(8), PT(9)),
  P(F->sensor), 8, 8, F1, dbits(1.5), 0, 1, P(&F->dbl[0]), P(&F->dbl[1]),
  P(&F->dbl[2]))

/* glimpse network */
E(ram_glimpse_create, "pzzzzx", 0,
  ram_glimpse_create(PT(0), ZZ(1), ZZ(2), ZZ(3), ZZ(4), UU(5)), OUT(0), R, HG,
  HL, G, 1)
E(ram_glimpse_reserve, "hz", 0, ram_glimpse_reserve(PT(0), ZZ(1)),
  P(F->glimpse), 4)
E(ram_glimpse_shape, "hoooo", 0,
  ram_glimpse_shape(PT(0), PT(1), PT(2), PT(3), PT(4)), P(F->glimpse),
  P(&F->sz[0]), P(&F->sz[1]), P(&F->sz[2]), P(&F->sz[3]))
E(ram_glimpse_params, "hooo", 0,
  ram_glimpse_params(PT(0), PT(1), PT(2), PT(3)), P(F->glimpse), OUT(0),
  OUT(1), P(&F->sz[0]))
E(ram_glimpse_zero_grad, "h", 0, ram_glimpse_zero_grad(PT(0)), P(F->glimpse))
E(ram_glimpse_forward, "hnppoo", 0,
  ram_glimpse_forward(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->glimpse), N, F0, F1, F2, F3)
E(ram_glimpse_backward, "hnpppppood", 0,
  ram_glimpse_backward(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5), PT(6),
                       PT(7), PT(8), D(9)),
  P(F->glimpse), N, F0, F1, F2, F3, F5, F6, F7, dbits(0.0))

/* core network */
E(ram_core_create, "pkzzx", 0,
  ram_core_create(PT(0), KK(1), ZZ(2), ZZ(3), UU(4)), OUT(0), RAM_CORE_RNN,
  G, HID, 2)
E(ram_core_reserve, "hz", 0, ram_core_reserve(PT(0), ZZ(1)), P(F->core), 4)
E(ram_core_shape, "hooo", 0, ram_core_shape(PT(0), PT(1), PT(2), PT(3)),
  P(F->core), P(&F->in[0]), P(&F->sz[0]), P(&F->sz[1]))
E(ram_core_params, "hooo", 0, ram_core_params(PT(0), PT(1), PT(2), PT(3)),
  P(F->core), OUT(0), OUT(1), P(&F->sz[0]))
E(ram_core_zero_grad, "h", 0, ram_core_zero_grad(PT(0)), P(F->core))
E(ram_core_forward, "hnooppoo", 0,
  ram_core_forward(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5), PT(6), PT(7)),
  P(F->core), N, F0, 0, F1, F2, 0, F3)
E(ram_core_backward, "hnnooppoppoood", 0,
  ram_core_backward(PT(0), ZZ(1), ZZ(2), PT(3), PT(4), PT(5), PT(6), PT(7),
                    PT(8), PT(9), PT(10), PT(11), PT(12), D(13)),
  P(F->core), 1, N, F0, 0, F1, F2, 0, F3, F4, F5, F6, 0, dbits(0.0))

/* location network */
E(ram_location_create, "pzkx", 0,
  ram_location_create(PT(0), ZZ(1), KK(2), UU(3)), OUT(0), HID,
  RAM_BOUND_TANH, 3)
E(ram_location_shape, "hoo", 0, ram_location_shape(PT(0), PT(1), PT(2)),
  P(F->location), P(&F->sz[0]), P(&F->in[0]))
E(ram_location_params, "hooo", 0,
  ram_location_params(PT(0), PT(1), PT(2), PT(3)), P(F->location), OUT(0),
  OUT(1), P(&F->sz[0]))
E(ram_location_zero_grad, "h", 0, ram_location_zero_grad(PT(0)),
  P(F->location))
E(ram_location_set_std, "hd", 0, ram_location_set_std(PT(0), D(1)),
  P(F->location), dbits(0.2))
E(ram_location_get_std, "hp", 0, ram_location_get_std(PT(0), PT(1)),
  P(F->location), P(&F->dbl[0]))
E(ram_location_seed, "hx", 0, ram_location_seed(PT(0), UU(1)),
  P(F->location), 9)
E(ram_location_forward, "hnop", 0,
  ram_location_forward(PT(0), ZZ(1), PT(2), PT(3)), P(F->location), N, F0,
  F2)
E(ram_location_sample, "hnpopo", 0,
  ram_location_sample(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->location), N, F1, F2, F3, F4)
E(ram_location_score, "hnpppp", 0,
  ram_location_score(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->location), N, F1, F1, F0, F2)
E(ram_location_log_prob, "hnppoo", 0,
  ram_location_log_prob(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->location), N, F1, F1, F2, F3)
E(ram_location_entropy, "hp", 0, ram_location_entropy(PT(0), PT(1)),
  P(F->location), P(&F->dbl[0]))
E(ram_location_backward, "hnoppod", 0,
  ram_location_backward(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5), D(6)),
  P(F->location), N, F0, F1, F2, F3, dbits(0.0))

/* action network */
E(ram_action_create, "pzzx", 0,
  ram_action_create(PT(0), ZZ(1), ZZ(2), UU(3)), OUT(0), HID, A, 4)
E(ram_action_shape, "hoo", 0, ram_action_shape(PT(0), PT(1), PT(2)),
  P(F->action), P(&F->sz[0]), P(&F->sz[1]))
E(ram_action_params, "hooo", 0,
  ram_action_params(PT(0), PT(1), PT(2), PT(3)), P(F->action), OUT(0),
  OUT(1), P(&F->sz[0]))
E(ram_action_zero_grad, "h", 0, ram_action_zero_grad(PT(0)), P(F->action))
E(ram_action_seed, "hx", 0, ram_action_seed(PT(0), UU(1)), P(F->action), 5)
E(ram_action_forward, "hnpp", 0,
  ram_action_forward(PT(0), ZZ(1), PT(2), PT(3)), P(F->action), N, F0, F2)
E(ram_action_sample, "hnpp", 0,
  ram_action_sample(PT(0), ZZ(1), PT(2), PT(3)), P(F->action), N, F1, I1)
E(ram_action_xent, "hnppdoo", 0,
  ram_action_xent(PT(0), ZZ(1), PT(2), PT(3), D(4), PT(5), PT(6)),
  P(F->action), N, F1, I0, dbits(1.0), F2, P(&F->dbl[0]))
E(ram_action_score, "hnpppp", 0,
  ram_action_score(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)), P(F->action),
  N, F1, I0, F0, F2)
E(ram_action_log_prob, "hnppoo", 0,
  ram_action_log_prob(PT(0), ZZ(1), PT(2), PT(3), PT(4), PT(5)),
  P(F->action), N, F1, I0, F2, F3)
E(ram_action_entropy, "hnpoo", 0,
  ram_action_entropy(PT(0), ZZ(1), PT(2), PT(3), PT(4)), P(F->action), N,
  F1, F2, F3)
E(ram_action_backward, "hnppod", 0,
  ram_action_backward(PT(0), ZZ(1), PT(2), PT(3), PT(4), D(5)),
  P(F->action), N, F0, F1, F2, dbits(0.0))

/* baseline network */
E(ram_baseline_create, "pz", 0, ram_baseline_create(PT(0), ZZ(1)), OUT(0),
  HID)
E(ram_baseline_shape, "ho", 0, ram_baseline_shape(PT(0), PT(1)),
  P(F->baseline), P(&F->sz[0]))
E(ram_baseline_params, "hooo", 0,
  ram_baseline_params(PT(0), PT(1), PT(2), PT(3)), P(F->baseline), OUT(0),
  OUT(1), P(&F->sz[0]))
E(ram_baseline_zero_grad, "h", 0, ram_baseline_zero_grad(PT(0)),
  P(F->baseline))
E(ram_baseline_forward, "hnop", 0,
  ram_baseline_forward(PT(0), ZZ(1), PT(2), PT(3)), P(F->baseline), N, F0,
  F2)
E(ram_baseline_mse, "hnppdoo", 0,
  ram_baseline_mse(PT(0), ZZ(1), PT(2), PT(3), D(4), PT(5), PT(6)),
  P(F->baseline), N, F0, F1, dbits(1.0), F2, P(&F->dbl[0]))
E(ram_baseline_backward, "hnopod", 0,
  ram_baseline_backward(PT(0), ZZ(1), PT(2), PT(3), PT(4), D(5)),
  P(F->baseline), N, F0, F1, F2, dbits(0.0))

#undef F0
#undef F1
#undef F2
#undef F3
#undef F4
#undef F5
#undef F6
#undef F7
#undef I0
#undef I1
#undef OUT
