// What the counter's task panels share: the goods picked in a GoodsPicker
// ({ goods_id: quantity }) as the request's item list, and their total in
// points at the store's prices.
export const pickedItems = (map) =>
  Object.entries(map)
    .filter(([, n]) => n > 0)
    .map(([id, n]) => ({ goods_id: Number(id), quantity: n }))

export const totalOf = (goods, map) => goods.reduce((sum, g) => sum + (map[g.id] || 0) * g.price, 0)
