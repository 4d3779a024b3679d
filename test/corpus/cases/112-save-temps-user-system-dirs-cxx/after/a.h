#pragma once
int a_h (void);
