#pragma once
int s_h (void);
