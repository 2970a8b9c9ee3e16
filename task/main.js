'use strict';
// The task's main step (task.json "execution"): runs unless RunAsPreJob is true. See launcher.js.
require('./launcher').run('main');
