/** Which templates may appear where. `env.NAME` is allowed everywhere. */
export const TARGET_TEMPLATES = ['port']
/** The server's command line and environment may also name the run's directory. */
export const SERVER_TEMPLATES = ['port', 'runDir']
export const REQUEST_TEMPLATES = ['key', 'requestId', 'attempt', 'uuid', 'trial']
export const EFFECT_TEMPLATES = ['key', 'requestId', 'uuid', 'trial']
