import {describeReplicaVerdicts} from '../helpers/replica-verdicts.js'

// fixtures/servers/replicated-counter-rpc.mjs: the replicated counter over JSON-RPC.
describeReplicaVerdicts('jsonrpc', 'fixtures/replicas-rpc-demo.yaml')
