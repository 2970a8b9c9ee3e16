'use strict';
// The task's "Pre-job:" step (task.json "prejobexecution"): runs only when RunAsPreJob is true. See launcher.js.
require('./launcher').run('prejob');
