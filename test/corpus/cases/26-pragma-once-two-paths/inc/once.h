#pragma once
struct once_only { int x; };
