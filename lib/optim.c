/* libram: the optimisers (SGD with momentum, Adam), weight decay and
 * global-norm clipping, as one pass over the agent's flat arrays. */
#include <math.h>
#include <string.h>

#include "agent_internal.h"

int ram_agent_update(ram_agent *a)
{
    if (!a)
        return RAM_E_INVALID;
    if (!a->trainable)
        return RAM_E_UNSUPPORTED;
    if (!a->has_grad)
        return RAM_E_STATE;
    if (!ram__all_finite(a->grads, a->count))
        return RAM_E_NONFINITE;

    float *p = a->params, *g = a->grads;
    const size_t n = a->count;
    const double wd = a->par[RAM_PARAM_WEIGHT_DECAY];
    if (wd > 0.0)
        for (int r = 0; r < a->n_wranges; r++) {
            size_t off = a->wranges[r].off, len = a->wranges[r].len;
            for (size_t i = off; i < off + len; i++)
                g[i] += (float)wd * p[i];
        }

    double sq = 0.0;
    for (size_t i = 0; i < n; i++)
        sq += (double)g[i] * g[i];
    const double norm = sqrt(sq);
    a->stat[RAM_STAT_GRAD_NORM] = norm;
    const double clip = a->par[RAM_PARAM_CLIP_NORM];
    const float scale = (clip > 0.0 && norm > clip) ? (float)(clip / norm)
                                                     : 1.0f;

    const int kind = (int)a->par[RAM_PARAM_OPTIMIZER];
    if (kind != a->opt_kind) { /* the moments belong to the old optimiser */
        memset(a->opt_m, 0, n * sizeof(float));
        memset(a->opt_v, 0, n * sizeof(float));
        a->adam_t = 0;
        a->opt_kind = kind;
    }
    const float lr = (float)a->par[RAM_PARAM_LEARNING_RATE];
    float *m = a->opt_m, *v = a->opt_v;
    if (kind == RAM_OPT_SGD) {
        const float mu = (float)a->par[RAM_PARAM_MOMENTUM];
        for (size_t i = 0; i < n; i++) {
            m[i] = mu * m[i] + scale * g[i];
            p[i] -= lr * m[i];
        }
    } else {
        const double b1 = a->par[RAM_PARAM_ADAM_BETA1];
        const double b2 = a->par[RAM_PARAM_ADAM_BETA2];
        const float eps = (float)a->par[RAM_PARAM_ADAM_EPSILON];
        a->adam_t++;
        const double c1 = 1.0 - pow(b1, (double)a->adam_t);
        const double c2 = 1.0 - pow(b2, (double)a->adam_t);
        const float step = (float)(a->par[RAM_PARAM_LEARNING_RATE] / c1);
        const float rc2 = (float)(1.0 / sqrt(c2));
        const float fb1 = (float)b1, fb2 = (float)b2;
        for (size_t i = 0; i < n; i++) {
            float gi = scale * g[i];
            m[i] = fb1 * m[i] + (1.0f - fb1) * gi;
            v[i] = fb2 * v[i] + (1.0f - fb2) * gi * gi;
            p[i] -= step * m[i] / (sqrtf(v[i]) * rc2 + eps);
        }
    }
    memset(g, 0, n * sizeof(float));
    a->has_grad = 0;
    a->updates++;
    return RAM_OK;
}
