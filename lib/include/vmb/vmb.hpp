// Everything in the vmb allocator library.
#pragma once

#include "vmb/allocator.hpp"
#include "vmb/arena.hpp"
#include "vmb/assert.hpp"
#include "vmb/commit_stats.hpp"
#include "vmb/error.hpp"
#include "vmb/os.hpp"
#include "vmb/pmr.hpp"
#include "vmb/pool.hpp"
#include "vmb/pool_policy.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/remote_free_size_class_pool.hpp"
#include "vmb/scratch.hpp"
#include "vmb/size_class_pool.hpp"
