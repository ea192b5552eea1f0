/** "1 installment", "3 installments". */
export const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;
