import type {ToxicDefinition} from '../toxic.js'
import {bandwidth} from './bandwidth.js'
import {latency} from './latency.js'
import {limitData} from './limit-data.js'
import {noop} from './noop.js'
import {resetPeer} from './reset-peer.js'
import {slicer} from './slicer.js'
import {slowClose} from './slow-close.js'
import {timeout} from './timeout.js'

/** The L4 (byte) toxics, by Toxiproxy type name. A new toxic is one file plus one line here. */
export const L4_TOXICS: ReadonlyMap<string, ToxicDefinition> = new Map(
  [noop, latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData].map((d) => [d.type, d]),
)
