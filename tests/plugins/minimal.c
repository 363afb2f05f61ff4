/* A plugin with the required entry points only and no optional hook: the host
   must load it and treat every missing hook as "not handled" (the chat
   proceeds, the survey is shown, the host routes, 404 under /sso/ ...). */
#define FAKE_NAME "minimal"
#include "fake_plugin.h"
