// A layer declared for (1, 128, 128) inputs that receives (1, 256, 256).
// expected-error: shapes_must_be_equal<gan::v0_1::Shape<1, 128, 128>, gan::v0_1::Shape<1, 256, 256> >
#include <gan/core/shape.hpp>

#ifdef GAN_SHOULD_FAIL_TO_BUILD
using Given = gan::Shape<1, 256, 256>;
#else
using Given = gan::Shape<1, 128, 128>;
#endif
static_assert(gan::expect_shape<gan::Shape<1, 128, 128>, Given>);
