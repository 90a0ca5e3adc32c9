/* libram: the Recurrent Attention Model (Mnih, Heess, Graves and
 * Kavukcuoglu, "Recurrent Models of Visual Attention", NIPS 2014) as an
 * embeddable C library. Include this header to get the whole API. */
#ifndef RAM_RAM_H
#define RAM_RAM_H

#include "ram/common.h"
#include "ram/version.h"
#include "ram/status.h"
#include "ram/sensor.h"
#include "ram/glimpse.h"
#include "ram/core.h"
#include "ram/location.h"
#include "ram/action.h"
#include "ram/baseline.h"
#include "ram/agent.h"

#endif /* RAM_RAM_H */
