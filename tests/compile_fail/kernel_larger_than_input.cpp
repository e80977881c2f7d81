// A 4x4 kernel with padding 1 on a 1x1 input does not fit (the innermost conv of a U-Net whose
// depth is one too large for the image).
// expected-error: window_must_fit<gan::v0_1::Shape<512, 1, 1>, 4, 2, 1>
#include <gan/core/shape.hpp>

#ifdef GAN_SHOULD_FAIL_TO_BUILD
using In = gan::Shape<512, 1, 1>;
#else
using In = gan::Shape<512, 2, 2>;
#endif
using Out = gan::conv2d_output_t<In, 512, 4, 2, 1>;
static_assert(Out::height == 1);
