/** Which templates may appear where. `env.NAME` is allowed everywhere. */
export const TARGET_TEMPLATES = ['port']
/** The server's command line and environment may also name the run's directory. */
export const SERVER_TEMPLATES = ['port', 'runDir']
/** An endpoint's request: fresh values per trial, and the attempt number. */
export const REQUEST_TEMPLATES = ['key', 'requestId', 'attempt', 'uuid', 'trial']
/** An effect probe reads the same operation's state once, whatever the attempt. */
export const EFFECT_TEMPLATES = ['key', 'requestId', 'uuid', 'trial']
/** A client command and its environment: the trial's values and where its proxy listens. */
export const CLIENT_COMMAND_TEMPLATES = ['key', 'requestId', 'uuid', 'trial', 'proxyUrl', 'proxyHost', 'proxyPort']
/** A replica's command line and environment (target.replicas): also where it replicates to. */
export const REPLICA_SERVER_TEMPLATES = ['port', 'runDir', 'replicationUrl']
