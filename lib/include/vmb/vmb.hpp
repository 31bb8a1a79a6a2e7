// Everything in the vmb allocator library.
#pragma once

#include "vmb/allocator.hpp"
#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pmr.hpp"
#include "vmb/pool.hpp"
