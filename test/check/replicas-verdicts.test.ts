import {describeReplicaVerdicts} from '../helpers/replica-verdicts.js'

// fixtures/servers/replicated-counter.mjs: the replicated counter over HTTP.
describeReplicaVerdicts('http', 'fixtures/replicas-demo.yaml')
