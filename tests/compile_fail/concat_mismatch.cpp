// Concatenating a 32x32 skip with a 16x16 decoder output is a U-Net wiring error.
// expected-error: concat_needs_equal_height_and_width<gan::v0_1::Shape<64, 32, 32>, gan::v0_1::Shape<64, 16, 16> >
#include <gan/core/shape.hpp>

#ifdef GAN_SHOULD_FAIL_TO_BUILD
using Skip = gan::Shape<64, 32, 32>;
using Decoded = gan::Shape<64, 16, 16>;
#else
using Skip = gan::Shape<64, 32, 32>;
using Decoded = gan::Shape<64, 32, 32>;
#endif
using Joined = gan::concat_output_t<Skip, Decoded>;
static_assert(Joined::channels == 128);
