// The demo institute's yearly account. Internal to demo.
#pragma once

#include "demo/demo.h"

namespace rapporteur::demo::internal {

// Adds activities, media appearances and finances for every year of `world`, drawn from the
// world's seed; the finances add up to the cent.
void add_account(World& world);

}  // namespace rapporteur::demo::internal
