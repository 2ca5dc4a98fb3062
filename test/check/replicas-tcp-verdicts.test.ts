import {describeReplicaVerdicts} from '../helpers/replica-verdicts.js'

// fixtures/servers/replicated-counter-tcp.mjs: the replicated counter over framed TCP.
describeReplicaVerdicts('tcp', 'fixtures/replicas-tcp-demo.yaml')
