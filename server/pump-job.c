#include "pump-job.h"
#include "dcc-error.h"

gboolean
dcc_pump_job_receive (DccCompileJob *job, DccRequest *req, int fd, const char *cache_dir,
                      guint64 cache_bytes, int timeout_s, GError **error)
{
  return dcc_fail (error, DCC_ERROR_REFUSED, "this volunteer does not serve pump mode yet");
}
