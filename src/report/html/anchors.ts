/** Ids inside one report page, built from positions only (never from user-provided names). */
export const anchors = {
  breach: (endpoint: number, trial: number) => `e${endpoint}-breach-t${trial}`,
  inconclusive: (endpoint: number, group: number) => `e${endpoint}-inconclusive-${group}`,
  endpoint: (endpoint: number) => `e${endpoint}-evidence`,
}
