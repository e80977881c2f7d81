#pragma once
// The exceptions gan throws. Every message says what was wrong, where, and what to do about it,
// so a command-line tool can print e.what() on one line and exit non-zero.
#include <stdexcept>
#include <string>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// Base of all gan errors; catch this to handle any of them.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A tensor's run-time shape does not match what the code was compiled for.
class shape_error : public error {
public:
    using error::error;
};

// A file is missing, unreadable, truncated or of the wrong kind.
class io_error : public error {
public:
    using error::error;
};

// An argument is outside what the function accepts (negative thickness, zero batch...).
class invalid_argument : public error {
public:
    using error::error;
};

// A call that the object's state does not allow (reading a gradient that an optimiser consumed
// during the backward pass, a second backward pass where a step was due).
class usage_error : public error {
public:
    using error::error;
};

GAN_NAMESPACE_END
